// The one JSON configuration file shared by callcontrold and webhook-adapter (flags override it).
//
// Shape (unknown keys are rejected; every key but "tenants" is optional and has the default
// shown; a string value "${NAME}" is replaced by the environment variable NAME, and a missing
// variable is an error):
//
//   {
//     "daemon":  { "grpc_listen": "127.0.0.1:50051", "db": "var/callcontrol.db",
//                  "provider_workers": 4, "event_retention": 1000000,
//                  "subscriber_queue_limit": 10000 },
//     "adapter": { "listen": "127.0.0.1:8080", "public_url": "http://127.0.0.1:8080",
//                  "daemon_address": "127.0.0.1:50051", "io_threads": 2 },
//     "tenants": [ { "id": "acme", "provider": "twilio", "default_from": "+15005550006",
//                    "default_twiml": "<Response><Pause length=\"600\"/></Response>",
//                    "twilio": { "account_sid": "AC…", "auth_token": "${TWILIO_AUTH_TOKEN}",
//                                "api_base_url": "https://api.twilio.com" } } ]
//   }
//
// Thread-safe once loaded (plain values).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "callcontrol/v1/call.pb.h"

namespace callcontrol::config {

struct DaemonConfig {
  std::string grpc_listen = "127.0.0.1:50051";
  std::string db = "var/callcontrol.db";
  // Threads that make provider REST calls.
  int provider_workers = 4;
  // Events kept in the log for StreamEvents resumption; older ones are pruned.
  int64_t event_retention = 1000000;
  // Events one subscriber may have queued before its stream ends with RESOURCE_EXHAUSTED.
  int64_t subscriber_queue_limit = 10000;
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
};

struct TenantConfig {
  std::string id;  // [a-z0-9_-]{1,64}; appears in webhook paths
  v1::Provider provider = v1::PROVIDER_TWILIO;
  // Caller id used when StartCall leaves `from` empty (E.164).
  std::string default_from;
  // TwiML run when an outbound call is answered and StartCall gave none.
  std::string default_twiml = "<Response><Pause length=\"600\"/></Response>";
  TwilioAccount twilio;
};

struct Config {
  DaemonConfig daemon;
  AdapterConfig adapter;
  std::vector<TenantConfig> tenants;

  // Returns the tenant with `id`, or nullptr.
  const TenantConfig* FindTenant(std::string_view id) const;
};

// Parses a configuration document. Returns kInvalidArgument naming the offending key for bad
// JSON, an unknown key, a wrong type, a missing environment variable or an invalid value.
absl::StatusOr<Config> ParseConfig(std::string_view json_text);

// Reads and parses the file at `path`. Returns kNotFound if it cannot be read, else as
// ParseConfig.
absl::StatusOr<Config> LoadConfig(const std::string& path);

}  // namespace callcontrol::config
