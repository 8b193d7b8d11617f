#include "common/config/config.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "nlohmann/json.hpp"

namespace callcontrol::config {
namespace {

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

// Reads a string, expanding a whole-value "${NAME}" from the environment.
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

template <typename Int>
absl::Status ReadInt(const json& obj, const std::string& where, const char* key, Int min,
                     Int* out) {
  if (!obj.contains(key)) return absl::OkStatus();
  const json& v = obj.at(key);
  if (!v.is_number_integer()) return Invalid(where + "." + key, "must be an integer");
  const auto n = v.get<int64_t>();
  if (n < static_cast<int64_t>(min)) {
    return Invalid(where + "." + key, "must be at least " + std::to_string(min));
  }
  *out = static_cast<Int>(n);
  return absl::OkStatus();
}

#define CONFIG_RETURN_IF_ERROR(expr) \
  do {                               \
    absl::Status _s = (expr);        \
    if (!_s.ok()) return _s;         \
  } while (0)

absl::Status ParseDaemon(const json& j, DaemonConfig* d) {
  const std::string w = "daemon";
  CONFIG_RETURN_IF_ERROR(CheckKeys(
      j, w,
      {"grpc_listen", "db", "provider_workers", "event_retention", "subscriber_queue_limit"}));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "grpc_listen", &d->grpc_listen));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "db", &d->db));
  CONFIG_RETURN_IF_ERROR(ReadInt(j, w, "provider_workers", 1, &d->provider_workers));
  CONFIG_RETURN_IF_ERROR(ReadInt<int64_t>(j, w, "event_retention", 1000, &d->event_retention));
  CONFIG_RETURN_IF_ERROR(
      ReadInt<int64_t>(j, w, "subscriber_queue_limit", 16, &d->subscriber_queue_limit));
  return absl::OkStatus();
}

absl::Status ParseAdapter(const json& j, AdapterConfig* a) {
  const std::string w = "adapter";
  CONFIG_RETURN_IF_ERROR(CheckKeys(j, w, {"listen", "public_url", "daemon_address", "io_threads"}));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "listen", &a->listen));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "public_url", &a->public_url));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "daemon_address", &a->daemon_address));
  CONFIG_RETURN_IF_ERROR(ReadInt(j, w, "io_threads", 1, &a->io_threads));
  while (!a->public_url.empty() && a->public_url.back() == '/') a->public_url.pop_back();
  if (a->public_url.rfind("http://", 0) != 0 && a->public_url.rfind("https://", 0) != 0) {
    return Invalid(w + ".public_url", "must start with http:// or https://");
  }
  return absl::OkStatus();
}

absl::Status ParseTenant(const json& j, size_t index, TenantConfig* t) {
  const std::string w = "tenants[" + std::to_string(index) + "]";
  CONFIG_RETURN_IF_ERROR(
      CheckKeys(j, w, {"id", "provider", "default_from", "default_twiml", "twilio"}));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "id", &t->id));
  static const std::regex kTenantId("[a-z0-9_-]{1,64}");
  if (!std::regex_match(t->id, kTenantId)) {
    return Invalid(w + ".id", "must match [a-z0-9_-]{1,64}");
  }
  std::string provider = "twilio";
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "provider", &provider));
  if (provider != "twilio") {
    return Invalid(w + ".provider", "unsupported provider \"" + provider + "\" (want twilio)");
  }
  t->provider = v1::PROVIDER_TWILIO;
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "default_from", &t->default_from));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "default_twiml", &t->default_twiml));
  if (!j.contains("twilio")) return Invalid(w + ".twilio", "required for provider twilio");
  const json& tw = j.at("twilio");
  const std::string ww = w + ".twilio";
  CONFIG_RETURN_IF_ERROR(CheckKeys(tw, ww, {"account_sid", "auth_token", "api_base_url"}));
  CONFIG_RETURN_IF_ERROR(ReadString(tw, ww, "account_sid", &t->twilio.account_sid));
  CONFIG_RETURN_IF_ERROR(ReadString(tw, ww, "auth_token", &t->twilio.auth_token));
  CONFIG_RETURN_IF_ERROR(ReadString(tw, ww, "api_base_url", &t->twilio.api_base_url));
  static const std::regex kAccountSid("AC[0-9a-f]{32}");
  if (!std::regex_match(t->twilio.account_sid, kAccountSid)) {
    return Invalid(ww + ".account_sid", "must be AC followed by 32 lowercase hex digits");
  }
  if (t->twilio.auth_token.empty()) return Invalid(ww + ".auth_token", "must not be empty");
  while (!t->twilio.api_base_url.empty() && t->twilio.api_base_url.back() == '/') {
    t->twilio.api_base_url.pop_back();
  }
  return absl::OkStatus();
}

}  // namespace

const TenantConfig* Config::FindTenant(std::string_view id) const {
  for (const auto& t : tenants) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

absl::StatusOr<Config> ParseConfig(std::string_view json_text) {
  const json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("config: not valid JSON");
  Config config;
  CONFIG_RETURN_IF_ERROR(CheckKeys(root, "config", {"daemon", "adapter", "tenants"}));
  if (root.contains("daemon"))
    CONFIG_RETURN_IF_ERROR(ParseDaemon(root.at("daemon"), &config.daemon));
  if (root.contains("adapter")) {
    CONFIG_RETURN_IF_ERROR(ParseAdapter(root.at("adapter"), &config.adapter));
  }
  if (!root.contains("tenants") || !root.at("tenants").is_array() || root.at("tenants").empty()) {
    return Invalid("tenants", "must be a non-empty array");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < root.at("tenants").size(); ++i) {
    TenantConfig tenant;
    CONFIG_RETURN_IF_ERROR(ParseTenant(root.at("tenants")[i], i, &tenant));
    if (!ids.insert(tenant.id).second) {
      return Invalid("tenants[" + std::to_string(i) + "].id", "duplicate id " + tenant.id);
    }
    config.tenants.push_back(std::move(tenant));
  }
  return config;
}

absl::StatusOr<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("config: cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str());
}

}  // namespace callcontrol::config
