#include "common/call_status.h"

namespace callcontrol {

bool IsTerminal(v1::CallStatus status) {
  switch (status) {
    case v1::CALL_STATUS_COMPLETED:
    case v1::CALL_STATUS_BUSY:
    case v1::CALL_STATUS_NO_ANSWER:
    case v1::CALL_STATUS_FAILED:
    case v1::CALL_STATUS_CANCELED:
      return true;
    default:
      return false;
  }
}

}  // namespace callcontrol
