// The one JSON configuration file shared by callcontrold and webhook-adapter (flags override it).
//
// Shape (unknown keys are rejected; every key but "tenants" is optional and has the default
// shown; a string value "${NAME}" is replaced by the environment variable NAME, and a missing
// variable is an error):
//
//   {
//     "daemon":  { "grpc_listen": "127.0.0.1:50051", "db": "var/callcontrol.db",
//                  "provider_workers": 4, "clone_workers": 2, "event_retention": 1000000,
//                  "subscriber_queue_limit": 10000,
//                  "internal_api_key": "${CALLCONTROL_INTERNAL_KEY}",            (required)
//                  "metrics_listen": "127.0.0.1:9464",
//                  "metrics_event_interval_ms": 250 },                          (10..60000)
//     "adapter": { "listen": "127.0.0.1:8080", "public_url": "http://127.0.0.1:8080",
//                  "daemon_address": "127.0.0.1:50051", "io_threads": 2 },
//     "tenants": [ { "id": "acme", "provider": "twilio", "default_from": "+15005550006",
//                    "api_keys": [ "sha256:<64 hex digits>" ],                  (required)
//                    "webhook_token": "${ACME_WEBHOOK_TOKEN}",
//                    "default_twiml": "<Response><Pause length=\"600\"/></Response>",
//                    "twilio": { "account_sid": "AC…", "auth_token": "${TWILIO_AUTH_TOKEN}",
//                                "api_base_url": "https://api.twilio.com", "record": false },
//                    "telnyx": { "api_key": "${TELNYX_API_KEY}", "connection_id": "…",
//                                "public_key": "<base64 Ed25519 public key>",
//                                "api_base_url": "https://api.telnyx.com",
//                                "webhook_tolerance_seconds": 300 },
//                    "exotel": { "account_sid": "…", "api_key": "${EXOTEL_API_KEY}",
//                                "api_token": "${EXOTEL_API_TOKEN}",
//                                "api_base_url": "https://api.exotel.com",
//                                "caller_id": "<ExoPhone>", "flow_url": "http://my.exotel.com/…" },
//                    "rates": { "twilio": { "price_per_minute_micros": 14000, "currency": "USD",
//                                           "rounding": "per_second" | "per_minute" } },
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
// A tenant's "provider" (twilio | telnyx | exotel | bolna) is the one StartCall dials through
// and needs its block (bolna calls are started by Bolna agents, not by StartCall); a tenant may
// carry several blocks so that webhooks of each are accepted. Exotel and Bolna do not sign
// webhooks: theirs are accepted only with the tenant's "webhook_token".
// API keys are stored only as "sha256:" + the lowercase hex SHA-256 of the key
// (`callctl key new` makes a key and its hash).
//
// A Twilio tenant with "record": true has every call StartCall places recorded by Twilio
// (Record=true), with the recording status callback sent to the adapter's
// /webhooks/twilio/{tenant}/recording route.
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

// One provider's block of a tenant ("twilio": {...}). Each provider defines its subclass next to
// its code (providers/<name>/<name>_account.h); TenantConfig holds them by provider.
class ProviderAccount {
 public:
  virtual ~ProviderAccount() = default;
};

// What config parsing knows of one provider; providers/registry.h lists them.
struct ProviderConfigSpec {
  v1::Provider provider = v1::PROVIDER_UNSPECIFIED;
  // The tenant's "provider" word, the key of its block and of its "rates" entry ("twilio").
  std::string name;
  // Reads the tenant's block; `where` names it in messages ("tenants[0].twilio"). Returns
  // kInvalidArgument naming the key at fault. Null for a provider without a block (Bolna).
  std::function<absl::StatusOr<std::shared_ptr<const ProviderAccount>>(const nlohmann::json& block,
                                                                       const std::string& where)>
      parse_block;
  // False for a provider whose webhooks are not signed (Exotel, Bolna): a tenant using it needs a
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
  // The URL providers reach the adapter at (scheme://host[:port], no trailing slash). Twilio
  // signs this URL, and the daemon builds StatusCallback URLs from it.
  std::string public_url = "http://127.0.0.1:8080";
  std::string daemon_address = "127.0.0.1:50051";
  int io_threads = 2;
};

struct TwilioAccount {
  std::string account_sid;  // "AC" + 32 hex
  std::string auth_token;   // secret: never logged
  std::string api_base_url = "https://api.twilio.com";
  // Have Twilio record the calls StartCall places (Create Call `Record=true`, with
  // RecordingStatusCallback pointing at the adapter's recording route, method POST, event
  // completed), so each answered call gets its recording attached.
  bool record = false;
};

// Telnyx Call Control (https://developers.telnyx.com/docs/voice/programmable-voice).
struct TelnyxAccount {
  std::string api_key;  // secret: "KEY…", sent as `Authorization: Bearer`
  // The Call Control Application (connection) outbound calls are placed on.
  std::string connection_id;
  // The account's webhook signing key: base64 of the 32-byte Ed25519 public key (Mission Control
  // portal, "Public Key").
  std::string public_key;
  std::string api_base_url = "https://api.telnyx.com";
  // Webhooks whose `telnyx-timestamp` is further than this from now are refused (replay window;
  // Telnyx's SDKs use 300 s).
  int64_t webhook_tolerance_seconds = 300;
};

// Exotel (https://developer.exotel.com/api/make-a-call-api): StartCall connects the called number
// to a call flow (the Connect API's `Url` variant).
struct ExotelAccount {
  std::string account_sid;                              // the account SID in the API path
  std::string api_key;                                  // secret: HTTP Basic user
  std::string api_token;                                // secret: HTTP Basic password
  std::string api_base_url = "https://api.exotel.com";  // Mumbai: https://api.in.exotel.com
  std::string caller_id;  // the ExoPhone shown to the called party (Exotel `CallerId`)
  std::string flow_url;   // the call flow the answered call runs (Exotel `Url`)
};

// The pre-call voice-clone flow of a tenant's inbound Twilio calls: greet the caller, clone their
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
  v1::Provider provider = v1::PROVIDER_TWILIO;
  // Caller id used when StartCall leaves `from` empty (E.164).
  std::string default_from;
  // TwiML run when an outbound call is answered and StartCall gave none.
  std::string default_twiml = "<Response><Pause length=\"600\"/></Response>";
  // SHA-256 digests (32 raw bytes each) of the API keys that act for this tenant.
  std::vector<std::string> api_key_hashes;
  // Shared secret webhooks of unsigned providers (Exotel, Bolna) must present; "" = none set.
  std::string webhook_token;
  bool has_twilio = false;  // a "twilio" block was given
  TwilioAccount twilio;
  bool has_telnyx = false;  // a "telnyx" block was given
  TelnyxAccount telnyx;
  bool has_exotel = false;  // an "exotel" block was given
  ExotelAccount exotel;
  CloneFlow clone;  // "clone" block; off when absent
  // Rates by provider; a provider without one bills duration_seconds at no price.
  std::map<v1::Provider, Rate> rates;

  // The tenant's rate for `provider`, or nullptr.
  const Rate* RateFor(v1::Provider provider) const;
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

// Parses a configuration document. Returns kInvalidArgument naming the offending key for bad
// JSON, an unknown key, a wrong type, a missing environment variable or an invalid value.
absl::StatusOr<Config> ParseConfig(std::string_view json_text);

// Reads and parses the file at `path`. Returns kNotFound if it cannot be read, else as
// ParseConfig.
absl::StatusOr<Config> LoadConfig(const std::string& path);

}  // namespace callcontrol::config
