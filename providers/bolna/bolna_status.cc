#include "providers/bolna/bolna_status.h"

#include <array>
#include <utility>

#include "absl/strings/match.h"

namespace callcontrol::bolna {
namespace {

using v1::CallStatus;

// Bolna status word -> normalized status. Read top to bottom: this is the whole mapping.
constexpr std::array<std::pair<std::string_view, CallStatus>, 22> kStatusTable = {{
    {"queued", v1::CALL_STATUS_QUEUED},
    {"scheduled", v1::CALL_STATUS_QUEUED},
    {"rescheduled", v1::CALL_STATUS_QUEUED},
    {"initiated", v1::CALL_STATUS_INITIATED},
    {"ringing", v1::CALL_STATUS_RINGING},
    {"answered", v1::CALL_STATUS_IN_PROGRESS},
    {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
    {"in_progress", v1::CALL_STATUS_IN_PROGRESS},
    {"ongoing", v1::CALL_STATUS_IN_PROGRESS},
    {"call-disconnected", v1::CALL_STATUS_UNSPECIFIED},
    {"completed", v1::CALL_STATUS_COMPLETED},
    {"ended", v1::CALL_STATUS_COMPLETED},
    {"finished", v1::CALL_STATUS_COMPLETED},
    {"busy", v1::CALL_STATUS_BUSY},
    {"no-answer", v1::CALL_STATUS_NO_ANSWER},
    {"no_answer", v1::CALL_STATUS_NO_ANSWER},
    {"failed", v1::CALL_STATUS_FAILED},
    {"error", v1::CALL_STATUS_FAILED},
    {"balance-low", v1::CALL_STATUS_FAILED},
    {"canceled", v1::CALL_STATUS_CANCELED},
    {"cancelled", v1::CALL_STATUS_CANCELED},
    {"stopped", v1::CALL_STATUS_CANCELED},
}};

// The table row of `status`, or nullptr.
const std::pair<std::string_view, CallStatus>* Find(std::string_view status) {
  const absl::string_view word(status.data(), status.size());
  for (const auto& row : kStatusTable) {
    if (absl::EqualsIgnoreCase(word, absl::string_view(row.first.data(), row.first.size()))) {
      return &row;
    }
  }
  return nullptr;
}

}  // namespace

CallStatus NormalizeBolnaStatus(std::string_view status) {
  const auto* row = Find(status);
  return row == nullptr ? v1::CALL_STATUS_UNSPECIFIED : row->second;
}

bool IsKnownBolnaStatus(std::string_view status) { return Find(status) != nullptr; }

}  // namespace callcontrol::bolna
