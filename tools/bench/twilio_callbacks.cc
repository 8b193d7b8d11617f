#include "tools/bench/twilio_callbacks.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "providers/twilio/twilio_signature.h"
#include "providers/twilio/twilio_time.h"

namespace callcontrol::bench {

const char* CallbackStatusWord(int index) {
  static constexpr const char* kWords[] = {"initiated", "ringing", "in-progress", "completed"};
  return kWords[index];
}

TwilioCallbackFactory::TwilioCallbackFactory(CallbackTarget target, uint64_t seed)
    : target_(std::move(target)), rng_(seed != 0 ? seed : std::random_device()()) {}

std::string TwilioCallbackFactory::NewCallSid() {
  return absl::StrFormat("CA%016x%016x", rng_(), rng_());
}

std::string TwilioCallbackFactory::NewIdempotencyToken() {
  const uint64_t a = rng_();
  const uint64_t b = rng_();
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                         b >> 48, b & 0xffffffffffffULL);
}

http::FormParams TwilioCallbackFactory::CallbackParams(const std::string& call_sid, int index,
                                                       const std::string& to,
                                                       absl::Time now) const {
  const int64_t duration = target_.call_duration_seconds;
  const absl::Time started = now - absl::Seconds(duration + 2);
  const absl::Time stamps[] = {started, started, started + absl::Seconds(1),
                               now - absl::Seconds(1)};
  // Field set and order of a real Twilio status callback (see the fixture).
  http::FormParams params = {
      {"Called", to},
      {"ToState", "CA"},
      {"CallerCountry", "US"},
      {"Direction", "outbound-api"},
      {"Timestamp", twilio::FormatTwilioTime(stamps[index])},
      {"CallbackSource", "call-progress-events"},
      {"CallerState", "CA"},
      {"ToZip", ""},
      {"SequenceNumber", absl::StrCat(index)},
      {"To", to},
      {"CallSid", call_sid},
      {"ToCountry", "US"},
      {"CallerZip", "94103"},
      {"CalledZip", ""},
      {"ApiVersion", "2010-04-01"},
      {"CallStatus", CallbackStatusWord(index)},
      {"CalledCity", "SAN FRANCISCO"},
      {"From", target_.from},
      {"AccountSid", target_.account_sid},
      {"CalledCountry", "US"},
      {"CallerCity", "SAN FRANCISCO"},
      {"ToCity", "SAN FRANCISCO"},
      {"FromCountry", "US"},
      {"Caller", target_.from},
      {"FromCity", "SAN FRANCISCO"},
      {"CalledState", "CA"},
      {"FromZip", "94103"},
      {"FromState", "CA"},
  };
  if (index == 3) {
    // Duration is billed minutes (rounded up), CallDuration the talk time in seconds.
    params.emplace_back("Duration", absl::StrCat((duration + 59) / 60));
    params.emplace_back("CallDuration", absl::StrCat(duration));
  }
  return params;
}

std::string TwilioCallbackFactory::Serialize(const http::FormParams& params) {
  const std::string body = http::EncodeForm(params);
  const std::string signature =
      twilio::ComputeSignature(target_.auth_token, target_.signed_url, params);
  return absl::StrCat("POST ", target_.path, " HTTP/1.1\r\nHost: ", target_.host_header,
                      "\r\nUser-Agent: TwilioProxy/1.1\r\nAccept: */*\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "X-Twilio-Signature: ",
                      signature, "\r\nI-Twilio-Idempotency-Token: ", NewIdempotencyToken(),
                      "\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
}

SyntheticCall TwilioCallbackFactory::NextCall(absl::Time now) {
  SyntheticCall call;
  call.call_sid = NewCallSid();
  const std::string to = absl::StrFormat("%s%04d", target_.to_prefix, rng_() % 10000);
  for (int i = 0; i < 4; ++i) {
    call.requests[i] = Serialize(CallbackParams(call.call_sid, i, to, now));
  }
  ++calls_made_;
  return call;
}

}  // namespace callcontrol::bench
