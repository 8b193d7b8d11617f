// Synthetic Twilio call status callbacks for webhook_bench: each call gets a fresh CallSid and
// four signed POSTs in order (initiated, ringing, in-progress, completed), with the fields a real
// Twilio callback carries (shape of shared/fixtures/twilio_status_completed.form). Requests are
// serialized to raw HTTP/1.1 bytes up front so sending them costs nothing but the write.
// Not thread-safe: one factory per connection or thread.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "common/http/form.h"

namespace callcontrol::bench {

struct CallbackTarget {
  // Host header value, e.g. "127.0.0.1:8080".
  std::string host_header;
  // Request target the adapter serves, e.g. "/webhooks/twilio/acme/status".
  std::string path;
  // Full URL Twilio would have been given and signs, e.g.
  // "https://hooks.example.com/webhooks/twilio/acme/status".
  std::string signed_url;
  std::string auth_token;  // secret: used to sign, never printed
  std::string account_sid = "AC00000000000000000000000000000001";
  std::string from = "+14155550100";
  // Called numbers are this prefix plus 4 random digits.
  std::string to_prefix = "+1415555";
  // CallDuration (seconds) of the completed callback.
  int64_t call_duration_seconds = 30;
};

// One synthetic call: its CallSid and its four callbacks as raw HTTP requests, in send order.
struct SyntheticCall {
  std::string call_sid;
  std::array<std::string, 4> requests;
};

class TwilioCallbackFactory {
 public:
  // `seed` makes CallSids reproducible in tests; 0 seeds from std::random_device.
  explicit TwilioCallbackFactory(CallbackTarget target, uint64_t seed = 0);

  // A new call whose callbacks are stamped relative to `now`: initiated and ringing at
  // now - duration - 2 s, in-progress 1 s later, completed at now - 1 s.
  SyntheticCall NextCall(absl::Time now);

  // The form parameters of callback `index` (0..3) of call `call_sid`, as NextCall signs them.
  http::FormParams CallbackParams(const std::string& call_sid, int index, const std::string& to,
                                  absl::Time now) const;

  int64_t calls_made() const { return calls_made_; }

 private:
  std::string NewCallSid();
  std::string NewIdempotencyToken();
  std::string Serialize(const http::FormParams& params);

  const CallbackTarget target_;
  std::mt19937_64 rng_;
  int64_t calls_made_ = 0;
};

// The Twilio CallStatus word of callback `index` (0 initiated, 1 ringing, 2 in-progress,
// 3 completed).
const char* CallbackStatusWord(int index);

}  // namespace callcontrol::bench
