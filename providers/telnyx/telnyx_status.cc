#include "providers/telnyx/telnyx_status.h"

#include <array>
#include <utility>

namespace callcontrol::telnyx {
namespace {

using v1::CallStatus;

// data.event_type -> normalized status, for every event but call.hangup. Read top to bottom:
// this is the whole mapping.
constexpr std::array<std::pair<std::string_view, CallStatus>, 4> kEventTable = {{
    {"call.initiated", v1::CALL_STATUS_INITIATED},
    {"call.ringing", v1::CALL_STATUS_RINGING},
    {"call.answered", v1::CALL_STATUS_IN_PROGRESS},
    {"call.bridged", v1::CALL_STATUS_IN_PROGRESS},
}};

// call.hangup's hangup_cause -> terminal status. A cause not listed is FAILED.
constexpr std::array<std::pair<std::string_view, CallStatus>, 9> kHangupCauseTable = {{
    {"normal_clearing", v1::CALL_STATUS_COMPLETED},
    {"time_limit", v1::CALL_STATUS_COMPLETED},
    {"user_busy", v1::CALL_STATUS_BUSY},
    {"call_rejected", v1::CALL_STATUS_BUSY},
    {"timeout", v1::CALL_STATUS_NO_ANSWER},
    {"no_answer", v1::CALL_STATUS_NO_ANSWER},
    {"originator_cancel", v1::CALL_STATUS_CANCELED},
    {"not_found", v1::CALL_STATUS_FAILED},
    {"unspecified", v1::CALL_STATUS_FAILED},
}};

}  // namespace

CallStatus HangupCauseStatus(std::string_view hangup_cause) {
  for (const auto& [cause, status] : kHangupCauseTable) {
    if (cause == hangup_cause) return status;
  }
  return v1::CALL_STATUS_FAILED;
}

CallStatus NormalizeTelnyxEvent(std::string_view event_type, std::string_view hangup_cause) {
  if (event_type == kCallHangup) return HangupCauseStatus(hangup_cause);
  for (const auto& [event, status] : kEventTable) {
    if (event == event_type) return status;
  }
  return v1::CALL_STATUS_UNSPECIFIED;
}

}  // namespace callcontrol::telnyx
