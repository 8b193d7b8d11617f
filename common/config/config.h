// The one JSON configuration file shared by callcontrold and webhook-adapter (flags override it).
//
// Shape (unknown keys are rejected; every key but "tenants" is optional and has the default
// shown; a string value "${NAME}" is replaced by the environment variable NAME, and a missing
// variable is an error):
//
//   {
//     "daemon":  { "grpc_listen": "127.0.0.1:50051", "db": "var/callcontrol.db",
//                  "provider_workers": 4, "clone_workers": 2, "event_retention": 1000000,
//                  "subscriber_queue_limit": 10000, "max_streams_per_tenant": 1000,
//                  "internal_api_key": "${CALLCONTROL_INTERNAL_KEY}",            (required)
//                  "metrics_listen": "127.0.0.1:9464",
//                  "metrics_event_interval_ms": 250 },                          (10..60000)
//     "adapter": { "listen": "127.0.0.1:8080", "public_url": "http://127.0.0.1:8080",
//                  "daemon_address": "127.0.0.1:50051", "io_threads": 2 },
//     "tenants": [ { "id": "acme", "provider": "<provider name>", "default_from": "+15005550006",
//                    "api_keys": [ "sha256:<64 hex digits>" ],                  (required)
//                    "webhook_token": "${ACME_WEBHOOK_TOKEN}",
//                    "default_twiml": "<Response><Pause length=\"600\"/></Response>",
//                    "<provider name>": { … },       (one block per provider, see below)
//                    "rates": { "<provider name>": { "price_per_minute_micros": 14000,
//                                                    "currency": "USD",
//                                                    "rounding": "per_second" | "per_minute" } },
//                    "clone": { "enabled": true, "greeting_text": "…", "greeting_audio_url": "",
//                               "hold_music_url": "", "agent_stream_url": "wss://…",
//                               "max_wait_seconds": 30, "poll_interval_seconds": 3,
//                               "on_failure": "hangup" | "connect_default_voice",
//                               "failure_message": "…", "default_voice_id": "",
//                               "voice_api_key": "${ELEVENLABS_API_KEY}",
//                               "voice_api_base_url": "https://api.elevenlabs.io",
//                               "agent_token_secret": "${AGENT_TOKEN_SECRET}",
//                               "agent_token_ttl_seconds": 300 } } ]
//   }
//
// A tenant's "provider" is the name of a registered provider (providers/registry.h; the first
// one registered when absent). The tenant needs that provider's block when the provider has one; a
// tenant may carry the blocks of several providers so that webhooks of each are accepted. Each
// block's keys are documented next to its provider (providers/<name>/<name>_account.h). A provider
// that does not sign its webhooks (ProviderConfigSpec::signs_webhooks) needs the tenant's
// "webhook_token", which the adapter requires on each of them. API keys are stored only as
// "sha256:" + the lowercase hex SHA-256 of the key
// (`callctl key new` makes a key and its hash).
//
// Thread-safe once loaded (plain values).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "callcontrol/v1/call.pb.h"
#include "nlohmann/json_fwd.hpp"

namespace callcontrol::config {

// One provider's block of a tenant ("<provider name>": {...}). Each provider defines its subclass
// next to its code (providers/<name>/<name>_account.h); TenantConfig holds them by provider.
class ProviderAccount {
 public:
  virtual ~ProviderAccount() = default;
};

// What config parsing knows of one provider; providers/registry.h lists them.
struct ProviderConfigSpec {
  v1::Provider provider = v1::PROVIDER_UNSPECIFIED;
  // The tenant's "provider" word, the key of its block and of its "rates" entry.
  std::string name;
  // Reads the tenant's block; `where` names it in messages ("tenants[0].<name>"). Returns
  // kInvalidArgument naming the key at fault. Null for a provider without a block.
  std::function<absl::StatusOr<std::shared_ptr<const ProviderAccount>>(const nlohmann::json& block,
                                                                       const std::string& where)>
      parse_block;
  // False for a provider whose webhooks are not signed: a tenant using it needs a
  // "webhook_token", which the adapter requires on every webhook.
  bool signs_webhooks = true;
};

struct DaemonConfig {
  std::string grpc_listen = "127.0.0.1:50051";
  std::string db = "var/callcontrol.db";
  // Threads that make provider REST calls (dial, hang up).
  int provider_workers = 4;
  // Threads that call the voice-clone API (one upload of up to 10 s each), kept apart from
  // provider_workers so a slow clone provider never delays a hangup. 1..64.
  int clone_workers = 2;
  // Events kept in the log for StreamEvents resumption; older ones are pruned.
  int64_t event_retention = 1000000;
  // Events one subscriber may have queued before its stream ends with RESOURCE_EXHAUSTED.
  int64_t subscriber_queue_limit = 10000;
  // Open StreamEvents streams one tenant may hold; one more is refused RESOURCE_EXHAUSTED.
  int64_t max_streams_per_tenant = 1000;
  // The credential webhook-adapter presents to the daemon's internal ProviderEventService
  // (`authorization: Bearer <key>`). A secret shared by both processes; never logged.
  std::string internal_api_key;
  // Where to serve Prometheus text exposition (GET /metrics: call, event and store figures);
  // "" = not served.
  std::string metrics_listen;
  // metrics:updated events are coalesced to at most one per tenant per this many milliseconds
  // (and one within this long of the last change). 10..60000.
  int64_t metrics_event_interval_ms = 250;
};

struct AdapterConfig {
  std::string listen = "127.0.0.1:8080";
  // The URL providers reach the adapter at (scheme://host[:port], no trailing slash). Providers
  // that sign the URL they call sign this one, and the daemon builds callback URLs from it.
  std::string public_url = "http://127.0.0.1:8080";
  std::string daemon_address = "127.0.0.1:50051";
  int io_threads = 2;
};

// The pre-call voice-clone flow of a tenant's inbound calls (TwiML): greet the caller, clone their
// voice from a stored sample (ElevenLabs-shaped API), then connect them to the agent stream.
struct CloneFlow {
  enum class OnFailure { kHangup, kConnectDefaultVoice };
  bool enabled = false;
  // What the caller hears first: <Say> of greeting_text, or <Play> of greeting_audio_url.
  std::string greeting_text = "Hi! Please hold for a moment while we get things ready.";
  std::string greeting_audio_url;
  // Played while waiting (<Play>); "" = <Pause length="poll_interval_seconds"/>.
  std::string hold_music_url;
  // The agent's media stream (<Connect><Stream url=...>), wss://.
  std::string agent_stream_url;
  int64_t max_wait_seconds = 30;      // the job times out then; redirects stop
  int64_t poll_interval_seconds = 3;  // pause between clone-status redirects
  OnFailure on_failure = OnFailure::kHangup;
  std::string failure_message = "Sorry, we could not connect your call right now. Goodbye.";
  std::string default_voice_id;  // for connect_default_voice
  // The voice-clone provider (ElevenLabs: POST /v1/voices/add, header xi-api-key).
  std::string voice_api_key;  // secret
  std::string voice_api_base_url = "https://api.elevenlabs.io";
  // Signs the agent stream token (HMAC-SHA256); secret.
  std::string agent_token_secret;
  int64_t agent_token_ttl_seconds = 300;
};

// How a provider's calls are priced when the provider reports no price.
struct Rate {
  enum class Rounding { kPerSecond, kPerStartedMinute };
  int64_t price_per_minute_micros = 0;  // micros of `currency` per minute of talk
  std::string currency = "USD";         // ISO 4217
  Rounding rounding = Rounding::kPerSecond;
};

struct TenantConfig {
  std::string id;  // [a-z0-9_-]{1,64}; appears in webhook paths
  v1::Provider provider = v1::PROVIDER_UNSPECIFIED;
  // Caller id used when StartCall leaves `from` empty (E.164).
  std::string default_from;
  // TwiML run when an outbound call is answered and StartCall gave none.
  std::string default_twiml = "<Response><Pause length=\"600\"/></Response>";
  // SHA-256 digests (32 raw bytes each) of the API keys that act for this tenant.
  std::vector<std::string> api_key_hashes;
  // Shared secret the webhooks of unsigned providers must present; "" = none set.
  std::string webhook_token;
  // The provider blocks given, by provider (each provider's own subclass of ProviderAccount).
  std::map<v1::Provider, std::shared_ptr<const ProviderAccount>> accounts;
  CloneFlow clone;  // "clone" block; off when absent
  // Rates by provider; a provider without one bills duration_seconds at no price.
  std::map<v1::Provider, Rate> rates;

  // The tenant's rate for `provider`, or nullptr.
  const Rate* RateFor(v1::Provider provider) const;

  // The tenant's block of `provider` as the provider's account type `T`, or nullptr when it has
  // none. Use the provider's accessor (<name>::AccountOf in providers/<name>/) rather than this.
  template <typename T>
  const T* Account(v1::Provider provider) const {
    const auto it = accounts.find(provider);
    return it == accounts.end() ? nullptr : dynamic_cast<const T*>(it->second.get());
  }
};

struct Config {
  DaemonConfig daemon;
  AdapterConfig adapter;
  std::vector<TenantConfig> tenants;

  // Returns the tenant with `id`, or nullptr.
  const TenantConfig* FindTenant(std::string_view id) const;
  // Returns the tenant one of whose API keys is `api_key`, or nullptr. Compares the key's
  // SHA-256 against every configured hash in constant time (CRYPTO_memcmp), and does not stop
  // at the first match, so timing reveals neither the key nor which tenant holds it.
  const TenantConfig* FindTenantByApiKey(std::string_view api_key) const;
};

// "sha256:" + lowercase hex SHA-256 of `api_key`: the form API keys take in the config.
std::string HashApiKey(std::string_view api_key);

// Parses a configuration document whose tenants may use the providers of `providers` (their
// "provider" words, blocks and "rates" keys; providers::ParseConfig passes every registered one).
// Returns kInvalidArgument naming the offending key for bad JSON, an unknown key, a wrong type, a
// missing environment variable or an invalid value.
absl::StatusOr<Config> ParseConfig(std::string_view json_text,
                                   const std::vector<ProviderConfigSpec>& providers);

// Command-line values that replace the file's (callcontrold's and webhook-adapter's flags); an
// empty string or 0 keeps the file's value.
struct Overrides {
  std::string grpc_listen;                // daemon.grpc_listen
  std::string db;                         // daemon.db
  int provider_workers = 0;               // daemon.provider_workers, >= 1
  int clone_workers = 0;                  // daemon.clone_workers, 1..64
  std::string metrics_listen;             // daemon.metrics_listen
  int64_t metrics_event_interval_ms = 0;  // daemon.metrics_event_interval_ms, 10..60000
  std::string listen;                     // adapter.listen
  std::string public_url;                 // adapter.public_url (trailing '/' removed)
  std::string daemon_address;             // adapter.daemon_address
  int io_threads = 0;                     // adapter.io_threads, >= 1
};

// The one place flag values enter a Config: applies `overrides` to `config` with the checks the
// file's values get. kInvalidArgument naming the flag ("--public-url: must start with http:// or
// https://") and `config` unchanged when a value is refused.
absl::Status ApplyOverrides(const Overrides& overrides, Config* config);

// Reads and parses the file at `path`. Returns kNotFound if it cannot be read, else as
// ParseConfig.
absl::StatusOr<Config> LoadConfig(const std::string& path,
                                  const std::vector<ProviderConfigSpec>& providers);

}  // namespace callcontrol::config
