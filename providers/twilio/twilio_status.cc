#include "providers/twilio/twilio_status.h"

#include <array>
#include <utility>

namespace callcontrol::twilio {
namespace {

using v1::CallStatus;

// Twilio word -> normalized status. Read top to bottom: this is the whole mapping.
constexpr std::array<std::pair<std::string_view, CallStatus>, 10> kTwilioStatusTable = {{
    {"queued", v1::CALL_STATUS_QUEUED},
    {"initiated", v1::CALL_STATUS_INITIATED},
    {"ringing", v1::CALL_STATUS_RINGING},
    {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
    {"answered", v1::CALL_STATUS_IN_PROGRESS},
    {"completed", v1::CALL_STATUS_COMPLETED},
    {"busy", v1::CALL_STATUS_BUSY},
    {"no-answer", v1::CALL_STATUS_NO_ANSWER},
    {"failed", v1::CALL_STATUS_FAILED},
    {"canceled", v1::CALL_STATUS_CANCELED},
}};

}  // namespace

CallStatus NormalizeCallStatus(std::string_view twilio_status) {
  for (const auto& [word, status] : kTwilioStatusTable) {
    if (word == twilio_status) return status;
  }
  return v1::CALL_STATUS_UNSPECIFIED;
}

std::string_view TwilioCallStatusWord(CallStatus status) {
  for (const auto& [word, s] : kTwilioStatusTable) {
    if (s == status) return word;  // first match: "in-progress" before "answered"
  }
  return {};
}

}  // namespace callcontrol::twilio
