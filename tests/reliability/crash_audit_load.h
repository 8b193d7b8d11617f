// The load of the crash audit (crash_audit_test.cc) and its resuming subscriber.
//
// LoadGenerator: threads that place calls with StartCall (each with its own idempotency key,
// retried with the same key until acknowledged) and drive each placed call with signed Twilio
// status callbacks sent straight to webhook-adapter, in forward order (initiated, ringing,
// in-progress, completed with CallDuration), each retried until acknowledged. It records what
// every acknowledged request implies (the call id of an OK StartCall, the furthest status a 200
// acknowledged) and the furthest status ever sent, acknowledged or not, so the audit can tell
// a loss (behind what was acknowledged) from a contradiction (beyond anything sent).
//
// ResumingSubscriber: one StreamEvents subscription kept across daemon restarts: after every
// disconnect it subscribes again with since_sequence = the last sequence it received.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "common/http/form.h"
#include "common/http/http_client.h"

namespace callcontrol::testing {

// One status callback of a call, in the order they are sent.
struct CallbackStep {
  const char* twilio_status;
  v1::CallStatus status;
};
inline constexpr CallbackStep kCallbackSteps[] = {
    {"initiated", v1::CALL_STATUS_INITIATED},
    {"ringing", v1::CALL_STATUS_RINGING},
    {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
    {"completed", v1::CALL_STATUS_COMPLETED},
};
inline constexpr int kNumCallbackSteps = 4;

// What the load did with one idempotency key, and so with at most one call.
struct CallRecord {
  std::string key;
  std::string to;
  // The call id of every OK StartCall answer for the key (the first one and any replays).
  std::vector<std::string> acked_call_ids;
  v1::CallStatus start_status = v1::CALL_STATUS_UNSPECIFIED;  // in the first OK answer
  // CallSid of the call: from the StartCall answer or, for a dial whose answer a kill lost,
  // from the simulator. Empty: no callback was sent for the call.
  std::string call_sid;
  int next_step = 0;                                   // kCallbackSteps index to send next
  v1::CallStatus sent = v1::CALL_STATUS_UNSPECIFIED;   // furthest sent (acknowledged or not)
  v1::CallStatus acked = v1::CALL_STATUS_UNSPECIFIED;  // furthest acknowledged (HTTP 200)
  int duration_seconds = 0;                            // CallDuration of its completed callback

  const std::string& call_id() const { return acked_call_ids.front(); }
};

struct LoadFigures {
  int64_t start_calls_acked = 0;    // keys whose StartCall was acknowledged
  int64_t start_calls_unacked = 0;  // StartCall attempts not acknowledged
  int64_t replays_acked = 0;        // acknowledged repeats of an acknowledged key
  int64_t unconfirmed_dials = 0;    // acknowledged calls without a CallSid in the answer
  int64_t unconfirmed_found = 0;    // ... whose CallSid the simulator knew (callbacks were sent)
  int64_t webhooks_acked = 0;       // status callbacks answered 200
  int64_t webhooks_unacked = 0;     // answered 5xx or not at all
};

class LoadGenerator {
 public:
  struct Options {
    std::shared_ptr<grpc::Channel> daemon;  // public API, acme's key
    int adapter_port = 0;
    int sim_port = 0;
    uint64_t seed = 0;
    int threads = 2;
  };

  explicit LoadGenerator(Options options);
  ~LoadGenerator() { Stop(); }

  void Start();
  // Finishes the requests in flight and joins the threads. Idempotent.
  void Stop();

  // Requests acknowledged so far (StartCalls and callbacks).
  int64_t acknowledged() const { return acknowledged_.load(); }

  // After Stop(): every key tried, the figures, and answers no interleaving explains (a 4xx to a
  // signed callback, ALREADY_EXISTS for a repeated key, another call for the same key...).
  std::vector<CallRecord> records() const;
  LoadFigures figures() const;
  std::vector<std::string> anomalies() const;

 private:
  void Run(int index);
  // StartCall with the record's key until acknowledged (or the load stops). True if it was.
  bool Dial(CallRecord* record, LoadFigures* figures);
  // Repeats an acknowledged key once; an OK answer must name the same call.
  void Replay(CallRecord* record, LoadFigures* figures);
  // Sends the record's next callback once.
  void Advance(CallRecord* record, http::HttpClient* client, LoadFigures* figures);
  grpc::Status CallStartCall(const CallRecord& record, v1::Call* call);
  std::string SimCallSid(const std::string& to);
  void Anomaly(const std::string& what);

  const Options options_;
  std::unique_ptr<v1::CallControlService::Stub> stub_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> acknowledged_{0};
  std::vector<std::thread> threads_;
  std::vector<std::deque<CallRecord>> records_;  // one per thread, read after Stop()
  std::vector<LoadFigures> figures_;             // one per thread
  mutable std::mutex mu_;
  std::vector<std::string> anomalies_;
};

class ResumingSubscriber {
 public:
  ResumingSubscriber(std::shared_ptr<grpc::Channel> channel, std::string api_key);
  ~ResumingSubscriber() { Stop(); }

  void Stop();
  std::vector<v1::Event> events() const;
  int64_t last_sequence() const;
  // Subscriptions made (1 + resumptions) and how each ended before Stop().
  int subscriptions() const;
  std::vector<grpc::StatusCode> endings() const;

 private:
  void Run();

  std::unique_ptr<v1::CallControlService::Stub> stub_;
  const std::string api_key_;
  mutable std::mutex mu_;
  bool stop_ = false;
  grpc::ClientContext* current_ = nullptr;
  std::vector<v1::Event> events_;
  int subscriptions_ = 0;
  std::vector<grpc::StatusCode> endings_;
  std::thread thread_;
};

// True if something accepts TCP connections on 127.0.0.1:`port` now.
bool PortAccepts(int port);

}  // namespace callcontrol::testing
