#include "webhook_adapter/clone_flow.h"

#include <utility>

#include "providers/twilio/twilio_provider.h"
#include "providers/twilio/twilio_webhook_handler.h"
#include "providers/webhook_checks.h"
#include "providers/webhook_urls.h"
#include "webhook_adapter/twiml/twiml_writer.h"

namespace callcontrol::webhook_adapter {
namespace {

http::Response TwimlResponse(std::string twiml) {
  http::Response response;
  response.content_type = "text/xml";
  response.body = std::move(twiml);
  return response;
}

spdlog::logger& Log() { return providers::WebhookLog(); }

}  // namespace

CloneFlowAnswers::CloneTwiml CloneFlowAnswers::FromConfig(const config::CloneFlow& clone) {
  return CloneTwiml{clone.enabled,         clone.greeting_text,    clone.greeting_audio_url,
                    clone.hold_music_url,  clone.agent_stream_url, clone.poll_interval_seconds,
                    clone.failure_message, clone.default_voice_id};
}

CloneFlowAnswers::CloneFlowAnswers(const config::Config& config, std::string public_url)
    : public_url_(std::move(public_url)), default_flow_(FromConfig(config::CloneFlow{})) {
  for (const config::TenantConfig& tenant : config.tenants) {
    flows_.emplace(tenant.id, FromConfig(tenant.clone));
  }
}

const CloneFlowAnswers::CloneTwiml& CloneFlowAnswers::FlowOf(const std::string& tenant_id) const {
  const auto flow = flows_.find(tenant_id);
  return flow == flows_.end() ? default_flow_ : flow->second;
}

std::string CloneFlowAnswers::CloneStatusUrl(std::string_view tenant_id, std::string_view call_id,
                                             int64_t attempt) const {
  return providers::WebhookUrl(
      public_url_, twilio::kProviderName, tenant_id, twilio::kCloneStatusAction,
      {{"call_id", std::string(call_id)}, {"attempt", std::to_string(attempt)}});
}

http::Response CloneFlowAnswers::IncomingCall(
    const char* what, const std::string& tenant_id, const std::string& call_ref,
    const internal::v1::StartInboundCallResponse& response) const {
  const CloneTwiml& flow = FlowOf(tenant_id);
  if (flow.enabled && response.has_clone()) {
    return TwimlResponse(twiml::Greeting(flow.greeting_text, flow.greeting_audio_url,
                                         flow.hold_music_url, flow.poll_interval_seconds,
                                         CloneStatusUrl(tenant_id, response.call_id(), 1)));
  }
  if (flow.agent_stream_url.empty()) {
    Log().warn(
        "{}: clone flow off and no clone.agent_stream_url configured, hanging up "
        "tenant={} {} call_id={}",
        what, tenant_id, call_ref, response.call_id());
    return TwimlResponse(twiml::Failure(flow.failure_message));
  }
  twiml::StreamParameters parameters = {{"call_id", response.call_id()}, {"tenant_id", tenant_id}};
  if (!flow.default_voice_id.empty()) parameters.emplace_back("voice_id", flow.default_voice_id);
  return TwimlResponse(twiml::ConnectStream(flow.agent_stream_url, parameters));
}

std::optional<http::Response> CloneFlowAnswers::CloneProgress(
    const char* what, const std::string& tenant_id, const std::string& call_id,
    const std::string& call_ref, int64_t attempt, const absl::Status& status,
    const internal::v1::GetCloneProgressResponse& response) const {
  const CloneTwiml& flow = FlowOf(tenant_id);
  if (status.code() == absl::StatusCode::kNotFound ||
      status.code() == absl::StatusCode::kInvalidArgument) {
    Log().warn("{}: no clone job for the call ({}), hanging up tenant={} {}", what,
               absl::StatusCodeToString(status.code()), tenant_id, call_ref);
    return TwimlResponse(twiml::Failure(flow.failure_message));
  }
  if (!status.ok()) return std::nullopt;
  const std::string& stream_call_id = response.call_id().empty() ? call_id : response.call_id();
  auto connect = [&](const std::string& voice_id) {
    twiml::StreamParameters parameters = {{"call_id", stream_call_id}, {"tenant_id", tenant_id}};
    if (!voice_id.empty()) parameters.emplace_back("voice_id", voice_id);
    parameters.emplace_back("token", response.agent_token());
    return TwimlResponse(twiml::ConnectStream(flow.agent_stream_url, parameters));
  };
  const v1::CloneJob& job = response.clone();
  switch (response.next_action()) {
    case internal::v1::CLONE_NEXT_ACTION_HOLD:
      return TwimlResponse(twiml::Hold(flow.hold_music_url, flow.poll_interval_seconds,
                                       CloneStatusUrl(tenant_id, call_id, attempt + 1)));
    case internal::v1::CLONE_NEXT_ACTION_CONNECT:
      if (!flow.agent_stream_url.empty() && !response.agent_token().empty()) {
        return connect(response.voice_id());
      }
      Log().error("{}: told to connect but tenant {} has no clone.agent_stream_url or no token",
                  what, tenant_id);
      break;
    default:
      Log().info("{}: clone {} at attempt {}, hanging up tenant={} {}", what,
                 v1::CloneState_Name(job.state()), attempt, tenant_id, call_ref);
      break;
  }
  return TwimlResponse(twiml::Failure(flow.failure_message));
}

}  // namespace callcontrol::webhook_adapter
