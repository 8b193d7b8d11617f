#include "common/config/config.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "absl/strings/escaping.h"
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

// Reads an integer that must lie in [min, max].
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

#define CONFIG_RETURN_IF_ERROR(expr) \
  do {                               \
    absl::Status _s = (expr);        \
    if (!_s.ok()) return _s;         \
  } while (0)

absl::Status ParseDaemon(const json& j, DaemonConfig* d) {
  const std::string w = "daemon";
  CONFIG_RETURN_IF_ERROR(CheckKeys(j, w,
                                   {"grpc_listen", "db", "provider_workers", "clone_workers",
                                    "event_retention", "subscriber_queue_limit", "internal_api_key",
                                    "metrics_listen", "metrics_event_interval_ms"}));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "grpc_listen", &d->grpc_listen));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "db", &d->db));
  CONFIG_RETURN_IF_ERROR(ReadInt(j, w, "provider_workers", 1, &d->provider_workers));
  int64_t clone_workers = d->clone_workers;
  CONFIG_RETURN_IF_ERROR(ReadIntInRange(j, w, "clone_workers", 1, 64, &clone_workers));
  d->clone_workers = static_cast<int>(clone_workers);
  CONFIG_RETURN_IF_ERROR(ReadInt<int64_t>(j, w, "event_retention", 1000, &d->event_retention));
  CONFIG_RETURN_IF_ERROR(
      ReadInt<int64_t>(j, w, "subscriber_queue_limit", 16, &d->subscriber_queue_limit));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "internal_api_key", &d->internal_api_key));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "metrics_listen", &d->metrics_listen));
  CONFIG_RETURN_IF_ERROR(
      ReadIntInRange(j, w, "metrics_event_interval_ms", 10, 60000, &d->metrics_event_interval_ms));
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

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
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

absl::Status ParseApiKeys(const json& j, const std::string& w, TenantConfig* t) {
  if (!j.contains("api_keys") || !j.at("api_keys").is_array() || j.at("api_keys").empty()) {
    return Invalid(w + ".api_keys",
                   "must be a non-empty array of \"sha256:<hex>\" (callctl key new makes one)");
  }
  static const std::regex kHash("sha256:[0-9a-f]{64}");
  for (size_t i = 0; i < j.at("api_keys").size(); ++i) {
    const json& v = j.at("api_keys")[i];
    const std::string where = w + ".api_keys[" + std::to_string(i) + "]";
    if (!v.is_string() || !std::regex_match(v.get<std::string>(), kHash)) {
      return Invalid(where, "must be \"sha256:\" followed by 64 lowercase hex digits");
    }
    t->api_key_hashes.push_back(absl::HexStringToBytes(v.get<std::string>().substr(7)));
  }
  return absl::OkStatus();
}

absl::Status ParseTwilio(const json& tw, const std::string& ww, TwilioAccount* a) {
  CONFIG_RETURN_IF_ERROR(
      CheckKeys(tw, ww, {"account_sid", "auth_token", "api_base_url", "record"}));
  CONFIG_RETURN_IF_ERROR(ReadString(tw, ww, "account_sid", &a->account_sid));
  CONFIG_RETURN_IF_ERROR(ReadString(tw, ww, "auth_token", &a->auth_token));
  CONFIG_RETURN_IF_ERROR(ReadString(tw, ww, "api_base_url", &a->api_base_url));
  CONFIG_RETURN_IF_ERROR(ReadBool(tw, ww, "record", &a->record));
  static const std::regex kAccountSid("AC[0-9a-f]{32}");
  if (!std::regex_match(a->account_sid, kAccountSid)) {
    return Invalid(ww + ".account_sid", "must be AC followed by 32 lowercase hex digits");
  }
  if (a->auth_token.empty()) return Invalid(ww + ".auth_token", "must not be empty");
  TrimTrailingSlashes(&a->api_base_url);
  return CheckBaseUrl(ww + ".api_base_url", a->api_base_url);
}

absl::Status ParseTelnyx(const json& tx, const std::string& ww, TelnyxAccount* a) {
  CONFIG_RETURN_IF_ERROR(CheckKeys(
      tx, ww,
      {"api_key", "connection_id", "public_key", "api_base_url", "webhook_tolerance_seconds"}));
  CONFIG_RETURN_IF_ERROR(ReadString(tx, ww, "api_key", &a->api_key));
  CONFIG_RETURN_IF_ERROR(ReadString(tx, ww, "connection_id", &a->connection_id));
  CONFIG_RETURN_IF_ERROR(ReadString(tx, ww, "public_key", &a->public_key));
  CONFIG_RETURN_IF_ERROR(ReadString(tx, ww, "api_base_url", &a->api_base_url));
  CONFIG_RETURN_IF_ERROR(
      ReadInt<int64_t>(tx, ww, "webhook_tolerance_seconds", 1, &a->webhook_tolerance_seconds));
  if (a->api_key.empty()) return Invalid(ww + ".api_key", "must not be empty");
  if (a->connection_id.empty()) return Invalid(ww + ".connection_id", "must not be empty");
  std::string raw;
  if (!absl::Base64Unescape(a->public_key, &raw) || raw.size() != 32) {
    return Invalid(ww + ".public_key", "must be the base64 of a 32-byte Ed25519 public key");
  }
  TrimTrailingSlashes(&a->api_base_url);
  return CheckBaseUrl(ww + ".api_base_url", a->api_base_url);
}

absl::Status ParseExotel(const json& ex, const std::string& ww, ExotelAccount* a) {
  CONFIG_RETURN_IF_ERROR(CheckKeys(
      ex, ww, {"account_sid", "api_key", "api_token", "api_base_url", "caller_id", "flow_url"}));
  CONFIG_RETURN_IF_ERROR(ReadString(ex, ww, "account_sid", &a->account_sid));
  CONFIG_RETURN_IF_ERROR(ReadString(ex, ww, "api_key", &a->api_key));
  CONFIG_RETURN_IF_ERROR(ReadString(ex, ww, "api_token", &a->api_token));
  CONFIG_RETURN_IF_ERROR(ReadString(ex, ww, "api_base_url", &a->api_base_url));
  CONFIG_RETURN_IF_ERROR(ReadString(ex, ww, "caller_id", &a->caller_id));
  CONFIG_RETURN_IF_ERROR(ReadString(ex, ww, "flow_url", &a->flow_url));
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string*>{"account_sid", &a->account_sid},
        {"api_key", &a->api_key},
        {"api_token", &a->api_token},
        {"caller_id", &a->caller_id},
        {"flow_url", &a->flow_url}}) {
    if (value->empty()) return Invalid(ww + "." + key, "must not be empty");
  }
  TrimTrailingSlashes(&a->api_base_url);
  return CheckBaseUrl(ww + ".api_base_url", a->api_base_url);
}

absl::StatusOr<v1::Provider> ProviderNamed(const std::string& name) {
  if (name == "twilio") return v1::PROVIDER_TWILIO;
  if (name == "telnyx") return v1::PROVIDER_TELNYX;
  if (name == "exotel") return v1::PROVIDER_EXOTEL;
  if (name == "bolna") return v1::PROVIDER_BOLNA;
  return absl::InvalidArgumentError("want twilio, telnyx, exotel or bolna");
}

absl::Status ParseRates(const json& j, const std::string& w, TenantConfig* t) {
  if (!j.is_object()) return Invalid(w, "must be an object keyed by provider");
  static const std::regex kCurrency("[A-Z]{3}");
  for (const auto& [name, rate] : j.items()) {
    const std::string wr = w + "." + name;
    auto provider = ProviderNamed(name);
    if (!provider.ok()) return Invalid(wr, std::string(provider.status().message()));
    Rate r;
    CONFIG_RETURN_IF_ERROR(
        CheckKeys(rate, wr, {"price_per_minute_micros", "currency", "rounding"}));
    if (!rate.contains("price_per_minute_micros")) {
      return Invalid(wr + ".price_per_minute_micros", "required (micros of currency per minute)");
    }
    CONFIG_RETURN_IF_ERROR(
        ReadInt<int64_t>(rate, wr, "price_per_minute_micros", 0, &r.price_per_minute_micros));
    CONFIG_RETURN_IF_ERROR(ReadString(rate, wr, "currency", &r.currency));
    if (!std::regex_match(r.currency, kCurrency)) {
      return Invalid(wr + ".currency", "must be an ISO 4217 code like USD or INR");
    }
    std::string rounding = "per_second";
    CONFIG_RETURN_IF_ERROR(ReadString(rate, wr, "rounding", &rounding));
    if (rounding == "per_second") {
      r.rounding = Rate::Rounding::kPerSecond;
    } else if (rounding == "per_minute") {
      r.rounding = Rate::Rounding::kPerStartedMinute;
    } else {
      return Invalid(wr + ".rounding", "must be per_second or per_minute (per started minute)");
    }
    t->rates[*provider] = r;
  }
  return absl::OkStatus();
}

absl::Status ParseClone(const json& j, const std::string& w, CloneFlow* c) {
  CONFIG_RETURN_IF_ERROR(
      CheckKeys(j, w,
                {"enabled", "greeting_text", "greeting_audio_url", "hold_music_url",
                 "agent_stream_url", "max_wait_seconds", "poll_interval_seconds", "on_failure",
                 "failure_message", "default_voice_id", "voice_api_key", "voice_api_base_url",
                 "agent_token_secret", "agent_token_ttl_seconds"}));
  if (j.contains("enabled")) {
    if (!j.at("enabled").is_boolean()) return Invalid(w + ".enabled", "must be true or false");
    c->enabled = j.at("enabled").get<bool>();
  }
  for (const auto& [key, field] :
       {std::pair<const char*, std::string*>{"greeting_text", &c->greeting_text},
        {"greeting_audio_url", &c->greeting_audio_url},
        {"hold_music_url", &c->hold_music_url},
        {"agent_stream_url", &c->agent_stream_url},
        {"failure_message", &c->failure_message},
        {"default_voice_id", &c->default_voice_id},
        {"voice_api_key", &c->voice_api_key},
        {"voice_api_base_url", &c->voice_api_base_url},
        {"agent_token_secret", &c->agent_token_secret}}) {
    CONFIG_RETURN_IF_ERROR(ReadString(j, w, key, field));
  }
  CONFIG_RETURN_IF_ERROR(ReadInt<int64_t>(j, w, "max_wait_seconds", 1, &c->max_wait_seconds));
  CONFIG_RETURN_IF_ERROR(
      ReadInt<int64_t>(j, w, "poll_interval_seconds", 1, &c->poll_interval_seconds));
  CONFIG_RETURN_IF_ERROR(
      ReadInt<int64_t>(j, w, "agent_token_ttl_seconds", 10, &c->agent_token_ttl_seconds));
  std::string on_failure = "hangup";
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "on_failure", &on_failure));
  if (on_failure == "hangup") {
    c->on_failure = CloneFlow::OnFailure::kHangup;
  } else if (on_failure == "connect_default_voice") {
    c->on_failure = CloneFlow::OnFailure::kConnectDefaultVoice;
  } else {
    return Invalid(w + ".on_failure", "must be hangup or connect_default_voice");
  }
  TrimTrailingSlashes(&c->voice_api_base_url);
  CONFIG_RETURN_IF_ERROR(CheckBaseUrl(w + ".voice_api_base_url", c->voice_api_base_url));
  if (!c->enabled) return absl::OkStatus();
  if (c->agent_stream_url.rfind("wss://", 0) != 0 && c->agent_stream_url.rfind("ws://", 0) != 0) {
    return Invalid(w + ".agent_stream_url", "must be a ws:// or wss:// URL");
  }
  if (c->voice_api_key.empty()) return Invalid(w + ".voice_api_key", "must not be empty");
  if (c->agent_token_secret.size() < 16) {
    return Invalid(w + ".agent_token_secret", "must be at least 16 characters");
  }
  if (c->on_failure == CloneFlow::OnFailure::kConnectDefaultVoice && c->default_voice_id.empty()) {
    return Invalid(w + ".default_voice_id", "required for on_failure connect_default_voice");
  }
  return absl::OkStatus();
}

absl::Status ParseTenant(const json& j, size_t index, TenantConfig* t) {
  const std::string w = "tenants[" + std::to_string(index) + "]";
  CONFIG_RETURN_IF_ERROR(
      CheckKeys(j, w,
                {"id", "provider", "default_from", "default_twiml", "api_keys", "webhook_token",
                 "twilio", "telnyx", "exotel", "rates", "clone"}));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "id", &t->id));
  static const std::regex kTenantId("[a-z0-9_-]{1,64}");
  if (!std::regex_match(t->id, kTenantId)) {
    return Invalid(w + ".id", "must match [a-z0-9_-]{1,64}");
  }
  CONFIG_RETURN_IF_ERROR(ParseApiKeys(j, w, t));
  std::string provider = "twilio";
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "provider", &provider));
  auto named = ProviderNamed(provider);
  if (!named.ok()) {
    return Invalid(w + ".provider", "unsupported provider \"" + provider + "\" (" +
                                        std::string(named.status().message()) + ")");
  }
  t->provider = *named;
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "default_from", &t->default_from));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "default_twiml", &t->default_twiml));
  CONFIG_RETURN_IF_ERROR(ReadString(j, w, "webhook_token", &t->webhook_token));
  if (j.contains("twilio")) {
    t->has_twilio = true;
    CONFIG_RETURN_IF_ERROR(ParseTwilio(j.at("twilio"), w + ".twilio", &t->twilio));
  }
  if (j.contains("telnyx")) {
    t->has_telnyx = true;
    CONFIG_RETURN_IF_ERROR(ParseTelnyx(j.at("telnyx"), w + ".telnyx", &t->telnyx));
  }
  if (j.contains("exotel")) {
    t->has_exotel = true;
    CONFIG_RETURN_IF_ERROR(ParseExotel(j.at("exotel"), w + ".exotel", &t->exotel));
  }
  if (j.contains("rates")) CONFIG_RETURN_IF_ERROR(ParseRates(j.at("rates"), w + ".rates", t));
  if (j.contains("clone"))
    CONFIG_RETURN_IF_ERROR(ParseClone(j.at("clone"), w + ".clone", &t->clone));
  if (t->provider == v1::PROVIDER_EXOTEL && !t->has_exotel) {
    return Invalid(w + ".exotel", "required for provider exotel");
  }
  if ((t->provider == v1::PROVIDER_EXOTEL || t->provider == v1::PROVIDER_BOLNA) &&
      t->webhook_token.empty()) {
    return Invalid(w + ".webhook_token",
                   "required for provider " + provider + " (its webhooks are not signed)");
  }
  if (t->provider == v1::PROVIDER_TWILIO && !t->has_twilio) {
    return Invalid(w + ".twilio", "required for provider twilio");
  }
  if (t->provider == v1::PROVIDER_TELNYX && !t->has_telnyx) {
    return Invalid(w + ".telnyx", "required for provider telnyx");
  }
  return absl::OkStatus();
}

}  // namespace

const Rate* TenantConfig::RateFor(v1::Provider p) const {
  auto it = rates.find(p);
  return it == rates.end() ? nullptr : &it->second;
}

const TenantConfig* Config::FindTenant(std::string_view id) const {
  for (const auto& t : tenants) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const TenantConfig* Config::FindTenantByApiKey(std::string_view api_key) const {
  if (api_key.empty()) return nullptr;
  const std::string digest = Sha256(api_key);
  const TenantConfig* found = nullptr;
  for (const auto& t : tenants) {
    for (const auto& hash : t.api_key_hashes) {
      if (hash.size() == digest.size() &&
          CRYPTO_memcmp(hash.data(), digest.data(), digest.size()) == 0) {
        found = &t;
      }
    }
  }
  return found;
}

std::string HashApiKey(std::string_view api_key) {
  return "sha256:" + absl::BytesToHexString(Sha256(api_key));
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
  if (config.daemon.internal_api_key.empty()) {
    return Invalid("daemon.internal_api_key",
                   "required: the credential webhook-adapter presents to callcontrold "
                   "(use \"${ENV_VAR}\")");
  }
  std::set<std::string> hashes;
  for (const auto& t : config.tenants) {
    for (const auto& h : t.api_key_hashes) {
      if (!hashes.insert(h).second) {
        return Invalid("tenants[].api_keys", "one API key is listed twice (tenant " + t.id + ")");
      }
    }
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
