#include "server/calls/call_status.h"

namespace callcontrol::calls {

int StatusRank(v1::CallStatus status) {
  switch (status) {
    case v1::CALL_STATUS_QUEUED:
      return 0;
    case v1::CALL_STATUS_INITIATED:
      return 1;
    case v1::CALL_STATUS_RINGING:
      return 2;
    case v1::CALL_STATUS_IN_PROGRESS:
      return 3;
    case v1::CALL_STATUS_COMPLETED:
    case v1::CALL_STATUS_BUSY:
    case v1::CALL_STATUS_NO_ANSWER:
    case v1::CALL_STATUS_FAILED:
    case v1::CALL_STATUS_CANCELED:
      return 4;
    default:
      return -1;
  }
}

std::string_view StatusName(v1::CallStatus status) {
  switch (status) {
    case v1::CALL_STATUS_QUEUED:
      return "queued";
    case v1::CALL_STATUS_INITIATED:
      return "initiated";
    case v1::CALL_STATUS_RINGING:
      return "ringing";
    case v1::CALL_STATUS_IN_PROGRESS:
      return "in_progress";
    case v1::CALL_STATUS_COMPLETED:
      return "completed";
    case v1::CALL_STATUS_BUSY:
      return "busy";
    case v1::CALL_STATUS_NO_ANSWER:
      return "no_answer";
    case v1::CALL_STATUS_FAILED:
      return "failed";
    case v1::CALL_STATUS_CANCELED:
      return "canceled";
    default:
      return "unspecified";
  }
}

}  // namespace callcontrol::calls
