// The answers of the voice-clone pre-call flow of a tenant's inbound Twilio calls: TwiML
// (https://www.twilio.com/docs/voice/twiml, written by twiml/twiml_writer.h) for the incoming
// call once the daemon has answered StartInboundCall, and for each step of the clone-status
// redirect loop once it has answered GetCloneProgress. The Twilio handler
// (providers/twilio/twilio_webhook_handler.h) checks and reads those webhooks; the router makes
// the daemon calls and answers with what this gives. Thread-safe: immutable after construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "common/config/config.h"
#include "common/http/http_server.h"

namespace callcontrol::webhook_adapter {

class CloneFlowAnswers {
 public:
  // `public_url`: scheme://host[:port], no trailing slash (the redirect URLs start with it).
  CloneFlowAnswers(const config::Config& config, std::string public_url);

  // The answer (200, text/xml) to an incoming call of `tenant_id` the daemon accepted:
  // - clone flow on (tenant clone.enabled and the daemon returned a clone job): Greeting
  //   (greeting audio or text, hold music or a pause of poll_interval_seconds) redirecting to
  //   CloneStatusUrl(tenant, call id, 1);
  // - clone flow off: ConnectStream to clone.agent_stream_url with the parameters call_id,
  //   tenant_id and (if configured) voice_id = clone.default_voice_id, but no token (the daemon
  //   issues agent tokens only for clone jobs); with no agent_stream_url configured,
  //   Failure(clone.failure_message), logged as a warning.
  // `what` and `call_ref` are for logs ("twilio incoming call", "call_sid=CA…").
  http::Response IncomingCall(const char* what, const std::string& tenant_id,
                              const std::string& call_ref,
                              const internal::v1::StartInboundCallResponse& response) const;

  // The answer (200, text/xml) to redirect `attempt` (>= 1) of call `call_id` of `tenant_id` once
  // the daemon answered GetCloneProgress with `status` and `response`. The daemon decides
  // (next_action, server/calls/clone_job.h NextCloneAction); this only renders it:
  // - HOLD: Hold redirecting to CloneStatusUrl with attempt + 1;
  // - CONNECT: ConnectStream to agent_stream_url with call_id, tenant_id, voice_id and token =
  //   the response's agent_token (never a configured secret); Failure(failure_message) when no
  //   agent_stream_url is configured here or the daemon gave no token;
  // - FAIL (or anything else): Failure(failure_message);
  // - NOT_FOUND or INVALID_ARGUMENT from the daemon (unknown call, another tenant's call):
  //   Failure(failure_message) with a warning, since Twilio must get valid TwiML.
  // nullopt for any other daemon error: the router answers it (HttpStatusForDaemonCode).
  std::optional<http::Response> CloneProgress(
      const char* what, const std::string& tenant_id, const std::string& call_id,
      const std::string& call_ref, int64_t attempt, const absl::Status& status,
      const internal::v1::GetCloneProgressResponse& response) const;

  // {public_url}/webhooks/twilio/{tenant}/clone-status?call_id=<call id>&attempt=<attempt>
  // (providers::WebhookUrl; the call id percent-encoded).
  std::string CloneStatusUrl(std::string_view tenant_id, std::string_view call_id,
                             int64_t attempt) const;

 private:
  // The TwiML side of a tenant's clone flow (config::CloneFlow without its secrets).
  struct CloneTwiml {
    bool enabled = false;
    std::string greeting_text;
    std::string greeting_audio_url;
    std::string hold_music_url;
    std::string agent_stream_url;
    int64_t poll_interval_seconds = 0;
    std::string failure_message;
    std::string default_voice_id;
  };
  static CloneTwiml FromConfig(const config::CloneFlow& clone);

  // The settings of `tenant_id` (the defaults of config::CloneFlow for a tenant not configured,
  // which the handler never lets through).
  const CloneTwiml& FlowOf(const std::string& tenant_id) const;

  const std::string public_url_;
  const CloneTwiml default_flow_;
  absl::flat_hash_map<std::string, CloneTwiml> flows_;  // tenant id -> its settings
};

}  // namespace callcontrol::webhook_adapter
