#include "common/logging.h"

#include <string>

#include "spdlog/sinks/stdout_color_sinks.h"

namespace callcontrol::logging {

absl::Status SetLevel(std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(
        "unknown log level (want trace, debug, info, warn, error or off)");
  }
  spdlog::set_level(parsed);
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& l) { l->set_level(parsed); });
  return absl::OkStatus();
}

std::shared_ptr<spdlog::logger> Get(std::string_view module) {
  const std::string name(module);
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  try {
    auto logger = spdlog::stderr_color_mt(name);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
    logger->set_level(spdlog::get_level());
    return logger;
  } catch (const spdlog::spdlog_ex&) {
    // Another thread registered it between get() and creation.
    return spdlog::get(name);
  }
}

}  // namespace callcontrol::logging
