// Named spdlog loggers, one per module, and the process-wide log level.
// Messages use fmt syntax and `key=value` context; never log a token, signature or auth header.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "spdlog/spdlog.h"

// Debian's Abseil has its own absl::string_view (not std::string_view); let fmt print it, e.g.
// a Status message: log->warn("failed: {}", status.message()).
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  template <typename FormatContext>
  auto format(absl::string_view s, FormatContext& ctx) const {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s.data(), s.size()), ctx);
  }
};

namespace callcontrol::logging {

// Sets the level of every logger ("trace", "debug", "info", "warn", "error", "off").
// Returns kInvalidArgument for an unknown level name.
absl::Status SetLevel(std::string_view level);

// Returns the logger named `module` (e.g. "store", "api", "webhook"), creating it on first use.
// Thread-safe. Loggers write to stderr.
//
// Get looks the name up in spdlog's registry under a lock, so call it once per file, not on every
// log statement: each .cc that logs keeps its logger in a function-local static,
//
//   namespace {
//   const std::shared_ptr<spdlog::logger>& Logger() {
//     static const std::shared_ptr<spdlog::logger> logger = logging::Get("store");
//     return logger;
//   }
//   }  // namespace
//
//   Logger()->info("migrated schema to version {}", version);
//
// The cached pointer is the registered logger itself, so SetLevel (before or after the first
// Logger() call) still applies to it.
std::shared_ptr<spdlog::logger> Get(std::string_view module);

}  // namespace callcontrol::logging
