#include "providers/exotel/exotel_status.h"

#include <array>
#include <utility>

#include "absl/strings/match.h"

namespace callcontrol::exotel {
namespace {

using v1::CallStatus;

// Exotel status word -> normalized status. Read top to bottom: this is the whole mapping.
constexpr std::array<std::pair<std::string_view, CallStatus>, 17> kStatusTable = {{
    {"queued", v1::CALL_STATUS_QUEUED},
    {"initiated", v1::CALL_STATUS_INITIATED},
    {"ringing", v1::CALL_STATUS_RINGING},
    {"answered", v1::CALL_STATUS_IN_PROGRESS},
    {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
    {"in_progress", v1::CALL_STATUS_IN_PROGRESS},
    {"ongoing", v1::CALL_STATUS_IN_PROGRESS},
    {"completed", v1::CALL_STATUS_COMPLETED},
    {"ended", v1::CALL_STATUS_COMPLETED},
    {"finished", v1::CALL_STATUS_COMPLETED},
    {"busy", v1::CALL_STATUS_BUSY},
    {"no-answer", v1::CALL_STATUS_NO_ANSWER},
    {"no_answer", v1::CALL_STATUS_NO_ANSWER},
    {"failed", v1::CALL_STATUS_FAILED},
    {"error", v1::CALL_STATUS_FAILED},
    {"canceled", v1::CALL_STATUS_CANCELED},
    {"cancelled", v1::CALL_STATUS_CANCELED},
}};

}  // namespace

CallStatus NormalizeExotelStatus(std::string_view status) {
  const absl::string_view word(status.data(), status.size());
  for (const auto& [name, normalized] : kStatusTable) {
    if (absl::EqualsIgnoreCase(word, absl::string_view(name.data(), name.size()))) {
      return normalized;
    }
  }
  return v1::CALL_STATUS_UNSPECIFIED;
}

}  // namespace callcontrol::exotel
