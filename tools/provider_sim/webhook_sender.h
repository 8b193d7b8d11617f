// Delivers the simulator's webhooks (signed Twilio status callbacks and Telnyx Call Control
// events, unsigned Exotel status callbacks and Bolna execution webhooks) on a small pool of sender
// threads, each with its own libcurl HttpClient, so a slow receiver never stalls the REST API.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "tools/provider_sim/scheduler.h"

namespace callcontrol::provider_sim {

// Whose wire format a webhook has; its delivery reports go back to that provider's engine.
enum class WebhookFormat { kTwilio, kTelnyx, kExotel, kBolna };

struct DeliveryReport;

// The HTTP request that carries one delivery attempt of a webhook.
struct WebhookRequest {
  std::string method;
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One webhook. Twilio callbacks are described by the fields below and rendered by
// BuildWebhookRequest; Telnyx, Exotel and Bolna webhooks bring their own `render`, which builds
// each attempt anew (for Telnyx meta.attempt, telnyx-timestamp and the signature change per
// attempt).
struct Webhook {
  WebhookFormat format = WebhookFormat::kTwilio;
  // kTwilio, kExotel: the CallSid. kTelnyx: the leg's call_control_id. kBolna: the execution
  // id. Reports carry it back.
  std::string call_sid;
  // Webhooks with the same key leave in the order they were handed over (retries excepted);
  // call_sid when empty. Telnyx uses the call_session_id, so both legs of a call stay in order.
  std::string order_key;
  // When set, builds the request for attempt `attempt` (0 for the first try).
  std::function<WebhookRequest(int attempt)> render;
  std::string url;     // the StatusCallback URL exactly as given at create
  std::string method;  // "POST" (form body) or "GET" (params appended to the query)
  http::FormParams params;
  std::string auth_token;         // signs X-Twilio-Signature; never logged
  std::string idempotency_token;  // I-Twilio-Idempotency-Token: one per callback, kept on retries
  // For reports: the CallStatus and SequenceNumber params (Telnyx: the event_type, and the
  // event's data.id as idempotency_token), and whether this callback was sent before (a
  // duplicate, as the chaos scenarios send).
  std::string call_status;
  // (Exotel, Bolna: the index of the webhook in the call's list of sent webhooks.)
  int sequence_number = 0;
  bool redelivery = false;
  // Retries of this webhook; < 0 uses the sender's max_retries.
  int max_retries = -1;
  // When set, called on the sender thread with the report of the last attempt (delivered, or
  // given up). Must not block.
  std::function<void(const DeliveryReport&)> on_done;
};

// The outcome of one HTTP attempt.
struct DeliveryReport {
  WebhookFormat format = WebhookFormat::kTwilio;
  std::string call_sid;
  std::string call_status;
  int sequence_number = 0;
  bool redelivery = false;
  std::string idempotency_token;
  int attempt = 0;       // 0 for the first try
  long http_status = 0;  // 0 when no response came
  std::string error;     // why no response came, or "" when one did
  absl::Time at;         // when the attempt finished
};

// The HTTP request that carries Twilio callback `webhook`: URL (with params appended for GET),
// body and the headers Twilio sends (X-Twilio-Signature over the exact URL + sorted params for
// POST, or over the full URL with nothing appended for GET; I-Twilio-Idempotency-Token;
// Content-Type for POST; User-Agent TwilioProxy/1.1).
WebhookRequest BuildWebhookRequest(const Webhook& webhook);

// Sends webhooks; a callback that gets no response or a non-2xx status is retried up to
// `max_retries` times after 100 ms * 2^k * time_scale (k = 0, 1, ...). Webhooks with the same
// order key go to one sender thread, so they leave in the order they were handed over (retries
// excepted).
// Thread-safe.
class WebhookSender {
 public:
  struct Options {
    int threads = 4;
    int max_retries = 3;
    double time_scale = 1.0;
    std::chrono::milliseconds connect_timeout{2000};
    std::chrono::milliseconds timeout{10000};  // whole request
  };
  // Called on a sender thread after every attempt. Must not block.
  using ReportFn = std::function<void(const DeliveryReport&)>;

  // Starts the sender threads. `scheduler` runs the retry back-offs; shut it down before this
  // object is destroyed, since a pending retry calls back into it.
  WebhookSender(const Options& options, Scheduler* scheduler, ReportFn report);
  // Shutdown().
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues `webhook` for delivery. Dropped after Shutdown.
  void Send(Webhook webhook);

  // Lets requests in flight finish, drops queued ones (logged) and joins the threads.
  // Idempotent.
  void Shutdown();

 private:
  struct Job {
    Webhook webhook;
    int attempt = 0;
  };
  struct Worker {
    absl::Mutex mu;
    absl::CondVar cv;
    std::deque<Job> queue ABSL_GUARDED_BY(mu);
    bool stopping ABSL_GUARDED_BY(mu) = false;
    std::thread thread;
  };

  void Enqueue(Job job);
  void RunWorker(Worker* worker);
  void Attempt(http::HttpClient& client, Job job);

  const Options options_;
  Scheduler* const scheduler_;
  const ReportFn report_;
  std::vector<std::unique_ptr<Worker>> workers_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace callcontrol::provider_sim
