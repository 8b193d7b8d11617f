// Named spdlog loggers, one per module, and the process-wide log level.
// Messages use fmt syntax and `key=value` context; never log a token, signature or auth header.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "spdlog/spdlog.h"

namespace callcontrol::logging {

// Sets the level of every logger ("trace", "debug", "info", "warn", "error", "off").
// Returns kInvalidArgument for an unknown level name.
absl::Status SetLevel(std::string_view level);

// Returns the logger named `module` (e.g. "store", "api", "webhook"), creating it on first use.
// Thread-safe. Loggers write to stderr.
std::shared_ptr<spdlog::logger> Get(std::string_view module);

}  // namespace callcontrol::logging
