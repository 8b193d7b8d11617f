// Twilio timestamps: status callbacks' `Timestamp` and the REST API's `date_created`,
// `start_time`... are RFC 2822 dates ("Sun, 25 Mar 2018 09:53:19 +0000").
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace callcontrol::twilio {

// Parses an RFC 2822 date as Twilio writes it. Returns kInvalidArgument otherwise.
absl::StatusOr<absl::Time> ParseTwilioTime(std::string_view text);

// Formats `t` as Twilio does, in UTC: "Sun, 25 Mar 2018 09:53:19 +0000".
std::string FormatTwilioTime(absl::Time t);

}  // namespace callcontrol::twilio
