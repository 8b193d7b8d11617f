// provider-sim's server: wires the Twilio, Telnyx, Exotel and voice-clone REST routes, the Bolna
// controls,
// their engines, the timer thread and the webhook senders behind one Beast HttpServer. main.cc
// starts it; tests start it in-process on port 0.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/http_server.h"
#include "tools/provider_sim/bolna/bolna_api.h"
#include "tools/provider_sim/bolna/bolna_engine.h"
#include "tools/provider_sim/exotel/exotel_api.h"
#include "tools/provider_sim/exotel/exotel_engine.h"
#include "tools/provider_sim/scheduler.h"
#include "tools/provider_sim/telnyx/telnyx_api.h"
#include "tools/provider_sim/telnyx/telnyx_engine.h"
#include "tools/provider_sim/twilio/twilio_api.h"
#include "tools/provider_sim/twilio/twilio_engine.h"
#include "tools/provider_sim/voice/voice_api.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// Routes:
//   /2010-04-01/...                 Twilio REST subset (twilio_api.h), HTTP Basic auth
//   /v2/...                         Telnyx Call Control subset (telnyx_api.h), Bearer auth
//   /v1/voices/...                  voice-clone API, POST /v1/voices/add (voice_api.h), xi-api-key
//   /v1/Accounts/...                Exotel Voice v1 subset (exotel_api.h), HTTP Basic key:token
//   GET /healthz                    200 "ok"
// and, with no auth and only when listening on loopback (403 otherwise):
//   GET /sim/calls                  Twilio inspection list
//   GET /sim/calls/{id}             one call's inspection view (a Twilio CallSid or a Telnyx
//                                   call_control_id; inspection.h)
//   GET /sim/telnyx/calls           Telnyx inspection list (one entry per leg)
//   GET /sim/telnyx/calls/{id}      one Telnyx leg's inspection view
//   POST /sim/telnyx/webrtc_calls, POST /sim/telnyx/calls/{id}/sdk_hangup   (telnyx_api.h)
//   GET /sim/exotel/calls[/{sid}]   Exotel inspection; POST /sim/exotel/status_callbacks
//   GET /sim/voices                 voice-clone requests received (voice_api.h)
//   GET /sim/bolna/executions[/{id}] Bolna inspection; POST /sim/bolna/executions,
//                                   POST /sim/bolna/webhooks                 (bolna_api.h)
class SimServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:8090";       // "host:port"; port 0 picks a free port
    std::vector<TwilioAccount> accounts;         // empty: the default account
    std::vector<std::string> telnyx_api_keys;    // accepted Bearer keys; empty: the default key
    std::vector<ExotelAccount> exotel_accounts;  // empty: the default Exotel account
    std::vector<std::string> voice_api_keys;     // accepted xi-api-key values; empty: the default
    // Base64 Ed25519 seed that signs Telnyx webhooks; empty: a fresh key pair.
    std::string telnyx_private_key_base64;
    double time_scale = 1.0;  // > 0; multiplies every scenario delay and back-off
    int webhook_retries = 3;  // >= 0
    int webhook_threads = 4;  // >= 1
    int io_threads = 2;       // >= 1
    // A non-loopback listen host is refused unless this is set; the unauthenticated /sim/*
    // endpoints then answer 403.
    bool allow_remote = false;
    size_t max_ended_calls = 100000;
  };

  // Validates `options`, binds and starts every thread. Returns kInvalidArgument for bad
  // options (a Telnyx private key that is not a base64 32-byte seed included), kUnavailable if
  // the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<SimServer>> Start(Options options);

  // Shutdown().
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // The bound port.
  int port() const;

  // Base64 of the Ed25519 public key that verifies the Telnyx webhooks.
  const std::string& telnyx_public_key() const { return telnyx_public_key_; }

  // Stops serving, stops the scenario timers, lets callbacks in flight finish and joins every
  // thread. Idempotent.
  void Shutdown();

 private:
  explicit SimServer(Options options);
  void Handle(http::Request&& request, http::Responder respond);
  http::Response HandleSim(const http::Request& request);
  http::Response HandleTelnyxInspection(const http::Request& request);
  http::Response HandleExotelInspection(const http::Request& request);
  http::Response HandleBolnaInspection(const http::Request& request);

  const Options options_;
  bool inspection_enabled_ = true;
  Scheduler scheduler_;
  std::unique_ptr<WebhookSender> sender_;
  std::unique_ptr<CallEngine> engine_;
  std::unique_ptr<TwilioApi> api_;
  std::string telnyx_public_key_;
  std::unique_ptr<TelnyxEngine> telnyx_engine_;
  std::unique_ptr<TelnyxApi> telnyx_api_;
  std::unique_ptr<ExotelEngine> exotel_engine_;
  std::unique_ptr<ExotelApi> exotel_api_;
  std::unique_ptr<BolnaEngine> bolna_engine_;
  std::unique_ptr<BolnaApi> bolna_api_;
  std::unique_ptr<VoiceApi> voice_api_;
  std::unique_ptr<http::HttpServer> http_;
  bool shut_down_ = false;
};

// True for "127.x.y.z", "::1", "[::1]" and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace callcontrol::provider_sim
