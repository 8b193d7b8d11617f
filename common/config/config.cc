#include "common/config/config.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <openssl/crypto.h>

#include "absl/strings/escaping.h"
#include "common/config/json_fields.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace callcontrol::config {
namespace {

using json = nlohmann::json;

absl::Status ParseDaemon(const json& j, DaemonConfig* d) {
  const std::string w = "daemon";
  RETURN_IF_ERROR(
      CheckKeys(j, w,
                {"grpc_listen", "db", "provider_workers", "clone_workers", "event_retention",
                 "subscriber_queue_limit", "internal_api_key", "metrics_listen",
                 "metrics_event_interval_ms", "max_streams_per_tenant"}));
  RETURN_IF_ERROR(ReadString(j, w, "grpc_listen", &d->grpc_listen));
  RETURN_IF_ERROR(ReadString(j, w, "db", &d->db));
  RETURN_IF_ERROR(ReadInt(j, w, "provider_workers", 1, &d->provider_workers));
  int64_t clone_workers = d->clone_workers;
  RETURN_IF_ERROR(ReadIntInRange(j, w, "clone_workers", 1, 64, &clone_workers));
  d->clone_workers = static_cast<int>(clone_workers);
  RETURN_IF_ERROR(ReadInt(j, w, "event_retention", 1000, &d->event_retention));
  RETURN_IF_ERROR(ReadInt(j, w, "subscriber_queue_limit", 16, &d->subscriber_queue_limit));
  RETURN_IF_ERROR(
      ReadIntInRange(j, w, "max_streams_per_tenant", 1, 1000000, &d->max_streams_per_tenant));
  RETURN_IF_ERROR(ReadString(j, w, "internal_api_key", &d->internal_api_key));
  RETURN_IF_ERROR(ReadString(j, w, "metrics_listen", &d->metrics_listen));
  RETURN_IF_ERROR(
      ReadIntInRange(j, w, "metrics_event_interval_ms", 10, 60000, &d->metrics_event_interval_ms));
  return absl::OkStatus();
}

absl::Status ParseAdapter(const json& j, AdapterConfig* a) {
  const std::string w = "adapter";
  RETURN_IF_ERROR(CheckKeys(j, w, {"listen", "public_url", "daemon_address", "io_threads"}));
  RETURN_IF_ERROR(ReadString(j, w, "listen", &a->listen));
  RETURN_IF_ERROR(ReadString(j, w, "public_url", &a->public_url));
  RETURN_IF_ERROR(ReadString(j, w, "daemon_address", &a->daemon_address));
  RETURN_IF_ERROR(ReadInt(j, w, "io_threads", 1, &a->io_threads));
  while (!a->public_url.empty() && a->public_url.back() == '/') a->public_url.pop_back();
  if (a->public_url.rfind("http://", 0) != 0 && a->public_url.rfind("https://", 0) != 0) {
    return Invalid(w + ".public_url", "must start with http:// or https://");
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

// The spec named `name`, or kInvalidArgument listing the names there are.
absl::StatusOr<const ProviderConfigSpec*> ProviderNamed(
    const std::string& name, const std::vector<ProviderConfigSpec>& providers) {
  std::string names;
  for (const ProviderConfigSpec& spec : providers) {
    if (spec.name == name) return &spec;
    names += (names.empty() ? "" : ", ") + spec.name;
  }
  return absl::InvalidArgumentError("want one of " + names);
}

absl::Status ParseRates(const json& j, const std::string& w,
                        const std::vector<ProviderConfigSpec>& providers, TenantConfig* t) {
  if (!j.is_object()) return Invalid(w, "must be an object keyed by provider");
  static const std::regex kCurrency("[A-Z]{3}");
  for (const auto& [name, rate] : j.items()) {
    const std::string wr = w + "." + name;
    auto provider = ProviderNamed(name, providers);
    if (!provider.ok()) return Invalid(wr, std::string(provider.status().message()));
    Rate r;
    RETURN_IF_ERROR(CheckKeys(rate, wr, {"price_per_minute_micros", "currency", "rounding"}));
    if (!rate.contains("price_per_minute_micros")) {
      return Invalid(wr + ".price_per_minute_micros", "required (micros of currency per minute)");
    }
    RETURN_IF_ERROR(ReadInt(rate, wr, "price_per_minute_micros", 0, &r.price_per_minute_micros));
    RETURN_IF_ERROR(ReadString(rate, wr, "currency", &r.currency));
    if (!std::regex_match(r.currency, kCurrency)) {
      return Invalid(wr + ".currency", "must be an ISO 4217 code like USD or INR");
    }
    std::string rounding = "per_second";
    RETURN_IF_ERROR(ReadString(rate, wr, "rounding", &rounding));
    if (rounding == "per_second") {
      r.rounding = Rate::Rounding::kPerSecond;
    } else if (rounding == "per_minute") {
      r.rounding = Rate::Rounding::kPerStartedMinute;
    } else {
      return Invalid(wr + ".rounding", "must be per_second or per_minute (per started minute)");
    }
    t->rates[(*provider)->provider] = r;
  }
  return absl::OkStatus();
}

absl::Status ParseClone(const json& j, const std::string& w, CloneFlow* c) {
  RETURN_IF_ERROR(
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
    RETURN_IF_ERROR(ReadString(j, w, key, field));
  }
  RETURN_IF_ERROR(ReadInt(j, w, "max_wait_seconds", 1, &c->max_wait_seconds));
  RETURN_IF_ERROR(ReadInt(j, w, "poll_interval_seconds", 1, &c->poll_interval_seconds));
  RETURN_IF_ERROR(ReadInt(j, w, "agent_token_ttl_seconds", 10, &c->agent_token_ttl_seconds));
  std::string on_failure = "hangup";
  RETURN_IF_ERROR(ReadString(j, w, "on_failure", &on_failure));
  if (on_failure == "hangup") {
    c->on_failure = CloneFlow::OnFailure::kHangup;
  } else if (on_failure == "connect_default_voice") {
    c->on_failure = CloneFlow::OnFailure::kConnectDefaultVoice;
  } else {
    return Invalid(w + ".on_failure", "must be hangup or connect_default_voice");
  }
  TrimTrailingSlashes(&c->voice_api_base_url);
  RETURN_IF_ERROR(CheckBaseUrl(w + ".voice_api_base_url", c->voice_api_base_url));
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

absl::Status ParseTenant(const json& j, size_t index,
                         const std::vector<ProviderConfigSpec>& providers, TenantConfig* t) {
  const std::string w = "tenants[" + std::to_string(index) + "]";
  std::set<std::string> keys = {"id",       "provider",      "default_from", "default_twiml",
                                "api_keys", "webhook_token", "rates",        "clone"};
  for (const ProviderConfigSpec& spec : providers) {
    if (spec.parse_block) keys.insert(spec.name);
  }
  RETURN_IF_ERROR(CheckKeys(j, w, keys));
  RETURN_IF_ERROR(ReadString(j, w, "id", &t->id));
  static const std::regex kTenantId("[a-z0-9_-]{1,64}");
  if (!std::regex_match(t->id, kTenantId)) {
    return Invalid(w + ".id", "must match [a-z0-9_-]{1,64}");
  }
  RETURN_IF_ERROR(ParseApiKeys(j, w, t));
  std::string provider = providers.front().name;
  RETURN_IF_ERROR(ReadString(j, w, "provider", &provider));
  auto named = ProviderNamed(provider, providers);
  if (!named.ok()) {
    return Invalid(w + ".provider", "unsupported provider \"" + provider + "\" (" +
                                        std::string(named.status().message()) + ")");
  }
  const ProviderConfigSpec& spec = **named;
  t->provider = spec.provider;
  RETURN_IF_ERROR(ReadString(j, w, "default_from", &t->default_from));
  RETURN_IF_ERROR(ReadString(j, w, "default_twiml", &t->default_twiml));
  RETURN_IF_ERROR(ReadString(j, w, "webhook_token", &t->webhook_token));
  for (const ProviderConfigSpec& block_spec : providers) {
    if (!block_spec.parse_block || !j.contains(block_spec.name)) continue;
    ASSIGN_OR_RETURN(auto account,
                     block_spec.parse_block(j.at(block_spec.name), w + "." + block_spec.name));
    t->accounts[block_spec.provider] = std::move(account);
  }
  if (j.contains("rates")) RETURN_IF_ERROR(ParseRates(j.at("rates"), w + ".rates", providers, t));
  if (j.contains("clone")) RETURN_IF_ERROR(ParseClone(j.at("clone"), w + ".clone", &t->clone));
  if (spec.parse_block && !t->accounts.contains(spec.provider)) {
    return Invalid(w + "." + spec.name, "required for provider " + spec.name);
  }
  if (!spec.signs_webhooks && t->webhook_token.empty()) {
    return Invalid(w + ".webhook_token",
                   "required for provider " + provider + " (its webhooks are not signed)");
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
  const std::string digest = Sha256Bytes(api_key);
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
  return "sha256:" + absl::BytesToHexString(Sha256Bytes(api_key));
}

absl::StatusOr<Config> ParseConfig(std::string_view json_text,
                                   const std::vector<ProviderConfigSpec>& providers) {
  if (providers.empty()) return absl::InvalidArgumentError("config: no providers registered");
  const json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("config: not valid JSON");
  Config config;
  RETURN_IF_ERROR(CheckKeys(root, "config", {"daemon", "adapter", "tenants"}));
  if (root.contains("daemon")) RETURN_IF_ERROR(ParseDaemon(root.at("daemon"), &config.daemon));
  if (root.contains("adapter")) {
    RETURN_IF_ERROR(ParseAdapter(root.at("adapter"), &config.adapter));
  }
  if (!root.contains("tenants") || !root.at("tenants").is_array() || root.at("tenants").empty()) {
    return Invalid("tenants", "must be a non-empty array");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < root.at("tenants").size(); ++i) {
    TenantConfig tenant;
    RETURN_IF_ERROR(ParseTenant(root.at("tenants")[i], i, providers, &tenant));
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

absl::Status ApplyOverrides(const Overrides& o, Config* config) {
  auto refuse = [](const char* flag, const std::string& what) {
    return absl::InvalidArgumentError(std::string(flag) + ": " + what);
  };
  std::string public_url = o.public_url;
  TrimTrailingSlashes(&public_url);
  if (!o.public_url.empty() && public_url.rfind("http://", 0) != 0 &&
      public_url.rfind("https://", 0) != 0) {
    return refuse("--public-url", "must start with http:// or https://");
  }
  if (o.provider_workers < 0) return refuse("--provider-workers", "must be at least 1");
  if (o.clone_workers < 0 || o.clone_workers > 64) {
    return refuse("--clone-workers", "must be between 1 and 64");
  }
  if (o.metrics_event_interval_ms != 0 &&
      (o.metrics_event_interval_ms < 10 || o.metrics_event_interval_ms > 60000)) {
    return refuse("--metrics-event-interval-ms", "must be between 10 and 60000");
  }
  if (o.io_threads < 0) return refuse("--io-threads", "must be at least 1");

  DaemonConfig& d = config->daemon;
  AdapterConfig& a = config->adapter;
  if (!o.grpc_listen.empty()) d.grpc_listen = o.grpc_listen;
  if (!o.db.empty()) d.db = o.db;
  if (o.provider_workers > 0) d.provider_workers = o.provider_workers;
  if (o.clone_workers > 0) d.clone_workers = o.clone_workers;
  if (!o.metrics_listen.empty()) d.metrics_listen = o.metrics_listen;
  if (o.metrics_event_interval_ms > 0) d.metrics_event_interval_ms = o.metrics_event_interval_ms;
  if (!o.listen.empty()) a.listen = o.listen;
  if (!public_url.empty()) a.public_url = public_url;
  if (!o.daemon_address.empty()) a.daemon_address = o.daemon_address;
  if (o.io_threads > 0) a.io_threads = o.io_threads;
  return absl::OkStatus();
}

absl::StatusOr<Config> LoadConfig(const std::string& path,
                                  const std::vector<ProviderConfigSpec>& providers) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("config: cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), providers);
}

}  // namespace callcontrol::config
