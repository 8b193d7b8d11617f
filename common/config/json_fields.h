// Reading one JSON object of the configuration file field by field, with messages that name the
// key at fault ("config: tenants[0].<provider>.api_key: must not be empty"). Used by config.cc and
// by each provider's block parser (providers/<name>/<name>_account.cc). Thread-safe (pure
// functions, but for reading the environment).
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace callcontrol::config {

// kInvalidArgument "config: <where>: <what>".
absl::Status Invalid(const std::string& where, const std::string& what);

// kInvalidArgument unless `obj` is an object whose keys are all in `allowed`.
absl::Status CheckKeys(const nlohmann::json& obj, const std::string& where,
                       const std::set<std::string>& allowed);

// Reads string `key` of `obj` into `out` (left as is when absent). A whole value "${NAME}" is
// replaced by the environment variable NAME; a missing variable is an error.
absl::Status ReadString(const nlohmann::json& obj, const std::string& where, const char* key,
                        std::string* out);

// Reads integer `key` (left as is when absent); kInvalidArgument unless an integer >= `min`.
absl::Status ReadInt(const nlohmann::json& obj, const std::string& where, const char* key,
                     int64_t min, int64_t* out);
// ReadInt for an int-sized value.
absl::Status ReadInt(const nlohmann::json& obj, const std::string& where, const char* key, int min,
                     int* out);

// Reads integer `key` that must lie in [min, max] (left as is when absent).
absl::Status ReadIntInRange(const nlohmann::json& obj, const std::string& where, const char* key,
                            int64_t min, int64_t max, int64_t* out);

// Reads boolean `key` (left as is when absent).
absl::Status ReadBool(const nlohmann::json& obj, const std::string& where, const char* key,
                      bool* out);

// Removes trailing '/' from `url`.
void TrimTrailingSlashes(std::string* url);

// kInvalidArgument unless `url` starts with http:// or https://.
absl::Status CheckBaseUrl(const std::string& where, const std::string& url);

// kInvalidArgument "<where>.<key>: must not be empty" for the first empty value.
absl::Status CheckNotEmpty(
    const std::string& where,
    std::initializer_list<std::pair<const char*, const std::string*>> values);

}  // namespace callcontrol::config
