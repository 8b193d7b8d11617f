// Delivers the simulator's webhooks, whatever their provider's wire format (each webhook renders
// its own requests), on a small pool of sender threads, each with its own libcurl HttpClient, so a
// slow receiver never stalls the REST API.
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
#include "common/http/http_client.h"
#include "tools/provider_sim/scheduler.h"

namespace callcontrol::provider_sim {

struct DeliveryReport;

// The HTTP request that carries one delivery attempt of a webhook.
struct WebhookRequest {
  std::string method;
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One webhook: how to build each attempt (`render`), where its reports go (`on_attempt`,
// `on_done`) and what the reports and log lines say about it.
struct Webhook {
  // The call it is about (a call id, leg id or execution id); reports carry it back.
  std::string call_sid;
  // Webhooks with the same key leave in the order they were handed over (retries excepted);
  // call_sid when empty (a provider with several legs per call uses its session id).
  std::string order_key;
  // Builds the request for attempt `attempt` (0 for the first try); called on a sender thread
  // for every attempt, so per-attempt fields (timestamps, signatures) can change. Required.
  std::function<WebhookRequest(int attempt)> render;
  std::string url;  // the destination, for log lines (its query is never logged)
  // For reports: the status or event word, the provider's idempotency token or event id ("" if
  // none), the sequence number (or the index among the call's sent webhooks; -1 for none), and
  // whether this webhook was sent before (a duplicate or late delivery).
  std::string call_status;
  std::string idempotency_token;
  int sequence_number = 0;
  bool redelivery = false;
  // Retries of this webhook; < 0 uses the sender's max_retries.
  int max_retries = -1;
  // When set, called on the sender thread with the report of every attempt. Must not block.
  std::function<void(const DeliveryReport&)> on_attempt;
  // When set, called on the sender thread with the report of the last attempt (delivered, or
  // given up), after on_attempt. Must not block.
  std::function<void(const DeliveryReport&)> on_done;
};

// The outcome of one HTTP attempt.
struct DeliveryReport {
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
  // Starts the sender threads. `scheduler` runs the retry back-offs; shut it down before this
  // object is destroyed, since a pending retry calls back into it.
  WebhookSender(const Options& options, Scheduler* scheduler);
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
  std::vector<std::unique_ptr<Worker>> workers_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace callcontrol::provider_sim
