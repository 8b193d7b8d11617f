#include "common/config/json_fields.h"

#include <cstdlib>
#include <limits>
#include <utility>

#include "common/status_macros.h"

namespace callcontrol::config {

using json = nlohmann::json;

absl::Status Invalid(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError("config: " + where + ": " + what);
}

absl::Status CheckKeys(const json& obj, const std::string& where,
                       const std::set<std::string>& allowed) {
  if (!obj.is_object()) return Invalid(where, "must be an object");
  for (const auto& [key, value] : obj.items()) {
    if (allowed.count(key) == 0) return Invalid(where + "." + key, "unknown key");
  }
  return absl::OkStatus();
}

absl::Status ReadString(const json& obj, const std::string& where, const char* key,
                        std::string* out) {
  if (!obj.contains(key)) return absl::OkStatus();
  const json& v = obj.at(key);
  if (!v.is_string()) return Invalid(where + "." + key, "must be a string");
  std::string s = v.get<std::string>();
  if (s.size() > 3 && s.rfind("${", 0) == 0 && s.back() == '}') {
    const std::string name = s.substr(2, s.size() - 3);
    const char* env = std::getenv(name.c_str());
    if (env == nullptr) {
      return Invalid(where + "." + key, "environment variable " + name + " is not set");
    }
    s = env;
  }
  *out = std::move(s);
  return absl::OkStatus();
}

absl::Status ReadInt(const json& obj, const std::string& where, const char* key, int64_t min,
                     int64_t* out) {
  if (!obj.contains(key)) return absl::OkStatus();
  const json& v = obj.at(key);
  if (!v.is_number_integer()) return Invalid(where + "." + key, "must be an integer");
  const auto n = v.get<int64_t>();
  if (n < min) return Invalid(where + "." + key, "must be at least " + std::to_string(min));
  *out = n;
  return absl::OkStatus();
}

absl::Status ReadInt(const json& obj, const std::string& where, const char* key, int min,
                     int* out) {
  int64_t value = *out;
  RETURN_IF_ERROR(ReadInt(obj, where, key, int64_t{min}, &value));
  if (value > std::numeric_limits<int>::max()) {
    return Invalid(where + "." + key,
                   "must be at most " + std::to_string(std::numeric_limits<int>::max()));
  }
  *out = static_cast<int>(value);
  return absl::OkStatus();
}

absl::Status ReadIntInRange(const json& obj, const std::string& where, const char* key, int64_t min,
                            int64_t max, int64_t* out) {
  if (!obj.contains(key)) return absl::OkStatus();
  const json& v = obj.at(key);
  if (!v.is_number_integer()) return Invalid(where + "." + key, "must be an integer");
  const auto n = v.get<int64_t>();
  if (n < min || n > max) {
    return Invalid(where + "." + key, "must be between " + std::to_string(min) + " and " +
                                          std::to_string(max) + ", got " + std::to_string(n));
  }
  *out = n;
  return absl::OkStatus();
}

absl::Status ReadBool(const json& obj, const std::string& where, const char* key, bool* out) {
  if (!obj.contains(key)) return absl::OkStatus();
  const json& v = obj.at(key);
  if (!v.is_boolean()) return Invalid(where + "." + key, "must be true or false");
  *out = v.get<bool>();
  return absl::OkStatus();
}

void TrimTrailingSlashes(std::string* url) {
  while (!url->empty() && url->back() == '/') url->pop_back();
}

absl::Status CheckBaseUrl(const std::string& where, const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Invalid(where, "must start with http:// or https://");
  }
  return absl::OkStatus();
}

absl::Status CheckNotEmpty(
    const std::string& where,
    std::initializer_list<std::pair<const char*, const std::string*>> values) {
  for (const auto& [key, value] : values) {
    if (value->empty()) return Invalid(where + "." + key, "must not be empty");
  }
  return absl::OkStatus();
}

}  // namespace callcontrol::config
