#include "providers/twilio/twilio_time.h"

namespace callcontrol::twilio {
namespace {
constexpr char kRfc2822[] = "%a, %d %b %Y %H:%M:%S %z";
}  // namespace

absl::StatusOr<absl::Time> ParseTwilioTime(std::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(kRfc2822, std::string(text), &t, &err)) {
    return absl::InvalidArgumentError("not an RFC 2822 date: \"" + std::string(text.substr(0, 64)) +
                                      "\"");
  }
  return t;
}

std::string FormatTwilioTime(absl::Time t) {
  return absl::FormatTime(kRfc2822, t, absl::UTCTimeZone());
}

}  // namespace callcontrol::twilio
