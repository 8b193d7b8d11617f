#include "webhook_adapter/webhook_router.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <chrono>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "providers/bolna/bolna_execution.h"
#include "providers/exotel/exotel_callback.h"
#include "providers/telnyx/telnyx_account.h"
#include "providers/telnyx/telnyx_event.h"
#include "providers/telnyx/telnyx_signature.h"
#include "providers/twilio/twilio_account.h"
#include "providers/twilio/twilio_recording_callback.h"
#include "providers/twilio/twilio_signature.h"
#include "providers/twilio/twilio_status_callback.h"
#include "webhook_adapter/twiml/twiml_writer.h"

namespace callcontrol::webhook_adapter {
namespace {

using Route = AdapterMetrics::Route;

constexpr std::string_view kWebhooksPrefix = "/webhooks/";
constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
constexpr std::string_view kJsonContentType = "application/json";

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("webhook");
  return logger;
}

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

http::Response TextResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// Refuses a webhook that failed verification: a warning (never the secret), the failure metric
// and 403 with `reason`. Nothing reaches the daemon.
void RefuseUnverified(std::string_view what, std::string_view reason, const std::string& tenant_id,
                      const http::Request& request, AdapterMetrics* metrics,
                      AdapterMetrics::Provider provider, const http::Responder& respond) {
  Logger()->warn("{} rejected: {} tenant={} path={}", what, reason, tenant_id, request.path);
  metrics->SignatureFailure(provider);
  respond(TextResponse(403, std::string(reason) + "\n"));
}

// Answers 400 to a webhook whose content cannot be read (the message says what is wrong) and logs
// it with the tenant; nothing reaches the daemon.
void RejectMalformed(std::string_view what, const absl::Status& status, std::string_view tenant_id,
                     const http::Responder& respond) {
  const std::string message(status.message());
  Logger()->info("{} rejected: {} tenant={}", what, message, tenant_id);
  respond(TextResponse(400, message + "\n"));
}

http::Response MethodNotAllowed(std::string_view allow) {
  http::Response response = TextResponse(405, "method not allowed\n");
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

// Twilio's acknowledgement of a status or recording callback: an empty TwiML document.
http::Response TwimlAck() {
  http::Response ack;
  ack.content_type = "text/xml";
  ack.body = kEmptyTwiml;
  return ack;
}

http::Response JsonAck() {
  http::Response ack;
  ack.content_type = "application/json";
  ack.body = kJsonAck;
  return ack;
}

// True when the Content-Type's media type (before any ';' parameters) is `media_type`.
bool HasMediaType(std::string_view content_type, std::string_view media_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(ToAbsl(type)), ToAbsl(media_type));
}

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

// Splits "{tenant}/{action}" (`rest` of a two-segment route). False unless both are non-empty and
// the action has no '/'.
bool SplitTenantAction(std::string_view rest, std::string_view* tenant, std::string_view* action) {
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  *tenant = rest.substr(0, slash);
  *action = rest.substr(slash + 1);
  return !action->empty() && action->find('/') == std::string_view::npos;
}

// The route of a path under /webhooks/ (`rest`: the path after that prefix), and its tenant.
Route MatchWebhookRoute(std::string_view rest, std::string_view* tenant) {
  const size_t slash = rest.find('/');
  const std::string_view provider = rest.substr(0, slash);
  const std::string_view after =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  std::string_view action;
  if (provider == "twilio") {
    if (SplitTenantAction(after, tenant, &action)) {
      if (action == "status") return Route::kTwilioStatus;
      if (action == "recording") return Route::kTwilioRecording;
      if (action == "voice") return Route::kTwilioVoice;
      if (action == "clone-status") return Route::kTwilioCloneStatus;
    }
    return Route::kTwilioUnknown;
  }
  if (provider == "telnyx") {
    *tenant = after;
    const bool one_segment = !after.empty() && after.find('/') == std::string_view::npos;
    return one_segment ? Route::kTelnyxWebhook : Route::kTelnyxUnknown;
  }
  if (provider == "exotel") {
    const bool ok = SplitTenantAction(after, tenant, &action) && action == "status";
    return ok ? Route::kExotelStatus : Route::kExotelUnknown;
  }
  if (provider == "bolna") {
    *tenant = after;
    const bool one_segment = !after.empty() && after.find('/') == std::string_view::npos;
    return one_segment ? Route::kBolnaWebhook : Route::kBolnaUnknown;
  }
  return Route::kUnknown;
}

http::Response TwimlResponse(std::string twiml) {
  http::Response response;
  response.content_type = "text/xml";
  response.body = std::move(twiml);
  return response;
}

// The value of form field `name`, or "".
std::string FormValue(const http::FormParams& form, std::string_view name) {
  const std::string* value = http::FindParam(form, name);
  return value == nullptr ? std::string() : *value;
}

// Counts and logs a daemon error on a webhook and returns the answer HttpStatusForDaemonCode
// gives for it.
http::Response DaemonErrorResponse(AdapterMetrics* metrics, const char* what,
                                   const absl::Status& status, const std::string& tenant_id,
                                   const std::string& call_ref) {
  metrics->DaemonError(status.code());
  const int http_status = HttpStatusForDaemonCode(status.code());
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    Logger()->error(
        "{} not recorded: adapter internal_api_key rejected by callcontrold (set the same "
        "daemon.internal_api_key in both processes' config) http_status={} tenant={} {}",
        what, http_status, tenant_id, call_ref);
  } else {
    Logger()->warn("{} not recorded: code={} http_status={} tenant={} {} message=\"{}\"", what,
                   absl::StatusCodeToString(status.code()), http_status, tenant_id, call_ref,
                   std::string(status.message()));
  }
  return TextResponse(
      http_status, std::string(absl::StatusCodeToString(status.code())) + " from callcontrold\n");
}

}  // namespace

int HttpStatusForDaemonCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    default:
      return 500;
  }
}

WebhookRouter::WebhookRouter(const config::Config& config, std::string public_url,
                             DaemonClient* daemon)
    : public_url_(std::move(public_url)),
      daemon_(daemon),
      metrics_(std::make_unique<AdapterMetrics>()) {
  for (const auto& tenant : config.tenants) {
    // An empty auth token would let anyone compute a valid signature: such a tenant gets 404.
    if (const auto* twilio = ::callcontrol::twilio::AccountOf(tenant);
        twilio != nullptr && !twilio->auth_token.empty()) {
      twilio_auth_tokens_.emplace(tenant.id, twilio->auth_token);
    }
    if (const auto* telnyx = ::callcontrol::telnyx::AccountOf(tenant);
        telnyx != nullptr && !telnyx->public_key.empty()) {
      telnyx_tenants_.emplace(
          tenant.id,
          TelnyxTenant{telnyx->public_key, absl::Seconds(telnyx->webhook_tolerance_seconds)});
    }
    // Likewise, an empty token would admit anyone: such a tenant gets 404 on the token routes.
    if (!tenant.webhook_token.empty()) {
      webhook_token_digests_.emplace(tenant.id, Sha256(tenant.webhook_token));
    }
    if (twilio_auth_tokens_.contains(tenant.id)) {
      const config::CloneFlow& clone = tenant.clone;
      clone_flows_.emplace(
          tenant.id, CloneTwiml{clone.enabled, clone.greeting_text, clone.greeting_audio_url,
                                clone.hold_music_url, clone.agent_stream_url,
                                clone.max_wait_seconds, clone.poll_interval_seconds,
                                clone.on_failure, clone.failure_message, clone.default_voice_id});
    }
  }
}

void WebhookRouter::Handle(http::Request&& request, http::Responder respond) const {
  const std::string_view path = request.path;
  if (path.substr(0, kWebhooksPrefix.size()) != kWebhooksPrefix) {
    if (path == "/healthz") return HandleHealth(request, respond);
    if (path == "/metrics") return HandleMetrics(request, respond);
    return respond(TextResponse(404, "not found\n"));
  }

  std::string_view tenant;
  const Route route = MatchWebhookRoute(path.substr(kWebhooksPrefix.size()), &tenant);
  metrics_->WebhookReceived();
  http::Responder counted = [metrics = metrics_.get(), route,
                             start = std::chrono::steady_clock::now(),
                             respond = std::move(respond)](http::Response response) {
    metrics->WebhookAnswered(route, response.status, std::chrono::steady_clock::now() - start);
    respond(std::move(response));
  };
  switch (route) {
    case Route::kTwilioStatus:
      return HandleTwilioStatus(tenant, request, std::move(counted));
    case Route::kTwilioRecording:
      return HandleTwilioRecording(tenant, request, std::move(counted));
    case Route::kTwilioVoice:
      return HandleTwilioVoice(tenant, request, std::move(counted));
    case Route::kTwilioCloneStatus:
      return HandleTwilioCloneStatus(tenant, request, std::move(counted));
    case Route::kTelnyxWebhook:
      return HandleTelnyx(tenant, request, std::move(counted));
    case Route::kExotelStatus:
      return HandleExotelStatus(tenant, request, std::move(counted));
    case Route::kBolnaWebhook:
      return HandleBolna(tenant, request, std::move(counted));
    default:
      return counted(TextResponse(404, "not found\n"));
  }
}

void WebhookRouter::HandleHealth(const http::Request& request,
                                 const http::Responder& respond) const {
  if (request.method != "GET") return respond(MethodNotAllowed("GET"));
  http::Response response;
  response.content_type = "application/json";
  response.body = "{\"status\":\"ok\",\"daemon\":\"";
  response.body.append(daemon_->ChannelState());
  response.body.append("\"}");
  respond(std::move(response));
}

void WebhookRouter::HandleMetrics(const http::Request& request,
                                  const http::Responder& respond) const {
  if (request.method != "GET") return respond(MethodNotAllowed("GET"));
  http::Response response;
  response.content_type = kPrometheusContentType;
  response.body = metrics_->Serialize();
  respond(std::move(response));
}

std::optional<std::string> WebhookRouter::CheckTwilioRequest(
    const char* what, std::string_view tenant_view, const http::Request& request,
    const http::Responder& respond, http::FormParams* form, http::FormParams* query) const {
  const auto token = twilio_auth_tokens_.find(ToAbsl(tenant_view));
  if (token == twilio_auth_tokens_.end()) {
    respond(TextResponse(404, "unknown tenant\n"));
    return std::nullopt;
  }
  std::string tenant_id(tenant_view);
  if (request.method != "POST") {
    respond(MethodNotAllowed("POST"));
    return std::nullopt;
  }
  if (!HasMediaType(request.Header("content-type"), kFormContentType)) {
    respond(TextResponse(400, "Content-Type must be application/x-www-form-urlencoded\n"));
    return std::nullopt;
  }
  auto parsed_form = http::ParseForm(request.body);
  if (!parsed_form.ok()) {
    respond(TextResponse(400, "malformed form body\n"));
    return std::nullopt;
  }
  auto parsed_query = http::ParseForm(request.query);
  if (!parsed_query.ok()) {
    respond(TextResponse(400, "malformed query string\n"));
    return std::nullopt;
  }

  // Twilio signed the URL it was given: the public URL plus the target exactly as sent.
  const std::string_view signature = request.Header("x-twilio-signature");
  if (signature.empty()) {
    RefuseUnverified(what, "missing X-Twilio-Signature", tenant_id, request, metrics_.get(),
                     AdapterMetrics::Provider::kTwilio, respond);
    return std::nullopt;
  }
  std::string url;
  url.reserve(public_url_.size() + request.target.size());
  url.append(public_url_);
  url.append(request.target);
  if (!::callcontrol::twilio::ValidateSignature(token->second, url, *parsed_form, signature)) {
    RefuseUnverified(what, "invalid X-Twilio-Signature", tenant_id, request, metrics_.get(),
                     AdapterMetrics::Provider::kTwilio, respond);
    return std::nullopt;
  }
  *form = *std::move(parsed_form);
  *query = *std::move(parsed_query);
  return tenant_id;
}

void WebhookRouter::HandleTwilioStatus(std::string_view tenant_view, const http::Request& request,
                                       http::Responder respond) const {
  constexpr const char* kWhat = "twilio status callback";
  http::FormParams form, query;
  const auto tenant_id = CheckTwilioRequest(kWhat, tenant_view, request, respond, &form, &query);
  if (!tenant_id.has_value()) return;
  const std::string* call_id = http::FindParam(query, "call_id");
  auto report = ::callcontrol::twilio::ParseTwilioStatusCallback(
      *tenant_id, call_id == nullptr ? "" : *call_id, form);
  if (!report.ok()) return RejectMalformed(kWhat, report.status(), *tenant_id, respond);
  std::string call_ref = "call_sid=" + report->provider_ids().call_sid();
  ForwardToDaemon(kWhat, *tenant_id, std::move(call_ref), *std::move(report), TwimlAck(),
                  std::move(respond));
}

void WebhookRouter::HandleTwilioRecording(std::string_view tenant_view,
                                          const http::Request& request,
                                          http::Responder respond) const {
  constexpr const char* kWhat = "twilio recording callback";
  http::FormParams form, query;
  const auto tenant_id = CheckTwilioRequest(kWhat, tenant_view, request, respond, &form, &query);
  if (!tenant_id.has_value()) return;
  const std::string* call_id = http::FindParam(query, "call_id");
  auto report = ::callcontrol::twilio::ParseTwilioRecordingCallback(
      *tenant_id, call_id == nullptr ? "" : *call_id, form);
  if (!report.ok()) return RejectMalformed(kWhat, report.status(), *tenant_id, respond);
  std::string call_ref = "call_sid=" + report->provider_ids().call_sid() +
                         " recording_sid=" + report->recording().recording_id();
  ForwardToDaemon(kWhat, *tenant_id, std::move(call_ref), *std::move(report), TwimlAck(),
                  std::move(respond));
}

std::string WebhookRouter::CloneStatusUrl(std::string_view tenant_id, std::string_view call_id,
                                          int64_t attempt) const {
  return absl::StrCat(public_url_, "/webhooks/twilio/", ToAbsl(tenant_id),
                      "/clone-status?call_id=", http::PercentEncode(call_id), "&attempt=", attempt);
}

void WebhookRouter::HandleTwilioVoice(std::string_view tenant_view, const http::Request& request,
                                      http::Responder respond) const {
  static constexpr const char* kWhat = "twilio incoming call";
  http::FormParams form, query;
  const auto tenant_id = CheckTwilioRequest(kWhat, tenant_view, request, respond, &form, &query);
  if (!tenant_id.has_value()) return;
  internal::v1::StartInboundCallRequest start;
  start.set_tenant_id(*tenant_id);
  start.set_provider(v1::PROVIDER_TWILIO);
  start.mutable_provider_ids()->set_call_sid(FormValue(form, "CallSid"));
  if (start.provider_ids().call_sid().empty()) {
    Logger()->info("{} rejected: no CallSid tenant={}", kWhat, *tenant_id);
    return respond(TextResponse(400, "missing CallSid\n"));
  }
  start.set_from(FormValue(form, "From"));
  start.set_to(FormValue(form, "To"));
  start.set_provider_status(FormValue(form, "CallStatus"));
  std::string call_ref = "call_sid=" + start.provider_ids().call_sid();
  const CloneTwiml* flow = &clone_flows_.find(*tenant_id)->second;
  daemon_->StartInboundCall(
      std::move(start), [this, flow, tenant_id = *tenant_id, call_ref = std::move(call_ref),
                         respond = std::move(respond)](
                            const absl::Status& status,
                            const internal::v1::StartInboundCallResponse& response) mutable {
        if (!status.ok()) {
          return respond(DaemonErrorResponse(metrics_.get(), kWhat, status, tenant_id, call_ref));
        }
        if (flow->enabled && response.has_clone()) {
          return respond(TwimlResponse(twiml::Greeting(
              flow->greeting_text, flow->greeting_audio_url, flow->hold_music_url,
              flow->poll_interval_seconds, CloneStatusUrl(tenant_id, response.call_id(), 1))));
        }
        if (flow->agent_stream_url.empty()) {
          Logger()->warn(
              "{}: clone flow off and no clone.agent_stream_url configured, hanging up "
              "tenant={} {} call_id={}",
              kWhat, tenant_id, call_ref, response.call_id());
          return respond(TwimlResponse(twiml::Failure(flow->failure_message)));
        }
        twiml::StreamParameters parameters = {{"call_id", response.call_id()},
                                              {"tenant_id", tenant_id}};
        if (!flow->default_voice_id.empty()) {
          parameters.emplace_back("voice_id", flow->default_voice_id);
        }
        respond(TwimlResponse(twiml::ConnectStream(flow->agent_stream_url, parameters)));
      });
}

void WebhookRouter::HandleTwilioCloneStatus(std::string_view tenant_view,
                                            const http::Request& request,
                                            http::Responder respond) const {
  static constexpr const char* kWhat = "twilio clone-status";
  http::FormParams form, query;
  const auto tenant_id = CheckTwilioRequest(kWhat, tenant_view, request, respond, &form, &query);
  if (!tenant_id.has_value()) return;
  const std::string* call_id = http::FindParam(query, "call_id");
  if (call_id == nullptr || call_id->empty()) {
    return respond(TextResponse(400, "missing call_id\n"));
  }
  int64_t attempt = 1;
  if (const std::string* attempt_param = http::FindParam(query, "attempt");
      attempt_param != nullptr &&
      (!absl::SimpleAtoi(ToAbsl(*attempt_param), &attempt) || attempt < 1)) {
    return respond(TextResponse(400, "attempt must be a positive integer\n"));
  }
  internal::v1::GetCloneProgressRequest progress;
  progress.set_tenant_id(*tenant_id);
  progress.set_call_id(*call_id);
  const CloneTwiml* flow = &clone_flows_.find(*tenant_id)->second;
  daemon_->GetCloneProgress(std::move(progress), [this, flow, attempt, tenant_id = *tenant_id,
                                                  call_id = *call_id, respond = std::move(respond)](
                                                     const absl::Status& status,
                                                     const internal::v1::GetCloneProgressResponse&
                                                         response) mutable {
    const std::string call_ref = "call_id=" + call_id.substr(0, 64);
    if (status.code() == absl::StatusCode::kNotFound ||
        status.code() == absl::StatusCode::kInvalidArgument) {
      Logger()->warn("{}: no clone job for the call ({}), hanging up tenant={} {}", kWhat,
                     absl::StatusCodeToString(status.code()), tenant_id, call_ref);
      return respond(TwimlResponse(twiml::Failure(flow->failure_message)));
    }
    if (!status.ok()) {
      return respond(DaemonErrorResponse(metrics_.get(), kWhat, status, tenant_id, call_ref));
    }
    const std::string& stream_call_id = response.call_id().empty() ? call_id : response.call_id();
    auto connect = [&](const std::string& voice_id) {
      twiml::StreamParameters parameters = {{"call_id", stream_call_id}, {"tenant_id", tenant_id}};
      if (!voice_id.empty()) parameters.emplace_back("voice_id", voice_id);
      parameters.emplace_back("token", response.agent_token());
      return TwimlResponse(twiml::ConnectStream(flow->agent_stream_url, parameters));
    };
    const v1::CloneJob& job = response.clone();
    switch (job.state()) {
      case v1::CLONE_STATE_PENDING:
      case v1::CLONE_STATE_PROCESSING: {
        const bool before_deadline =
            job.has_deadline() ? absl::Now() < absl::FromUnixSeconds(job.deadline().seconds()) +
                                                   absl::Nanoseconds(job.deadline().nanos())
                               : attempt * flow->poll_interval_seconds < flow->max_wait_seconds;
        if (before_deadline) {
          return respond(
              TwimlResponse(twiml::Hold(flow->hold_music_url, flow->poll_interval_seconds,
                                        CloneStatusUrl(tenant_id, call_id, attempt + 1))));
        }
        Logger()->info(
            "{}: clone still {} at its deadline, applying the failure policy "
            "tenant={} {} attempt={}",
            kWhat, v1::CloneState_Name(job.state()), tenant_id, call_ref, attempt);
        break;
      }
      case v1::CLONE_STATE_COMPLETED:
        if (!flow->agent_stream_url.empty()) return respond(connect(response.voice_id()));
        Logger()->error("{}: clone completed but tenant {} has no clone.agent_stream_url", kWhat,
                        tenant_id);
        return respond(TwimlResponse(twiml::Failure(flow->failure_message)));
      default:
        Logger()->info("{}: clone ended {} tenant={} {} attempt={}", kWhat,
                       v1::CloneState_Name(job.state()), tenant_id, call_ref, attempt);
        break;
    }
    if (flow->on_failure == config::CloneFlow::OnFailure::kConnectDefaultVoice &&
        !response.agent_token().empty() && !flow->agent_stream_url.empty()) {
      return respond(connect(response.voice_id()));
    }
    respond(TwimlResponse(twiml::Failure(flow->failure_message)));
  });
}

void WebhookRouter::HandleTelnyx(std::string_view tenant_view, const http::Request& request,
                                 http::Responder respond) const {
  const auto tenant = telnyx_tenants_.find(ToAbsl(tenant_view));
  if (tenant == telnyx_tenants_.end()) return respond(TextResponse(404, "unknown tenant\n"));
  const std::string tenant_id(tenant_view);
  if (request.method != "POST") return respond(MethodNotAllowed("POST"));

  // The signature covers the raw body byte for byte: check it before reading anything else.
  const absl::Status verified = ::callcontrol::telnyx::VerifyWebhookSignature(
      tenant->second.public_key, request.Header(::callcontrol::telnyx::kTimestampHeader),
      request.body, request.Header(::callcontrol::telnyx::kSignatureHeader), absl::Now(),
      tenant->second.tolerance);
  if (!verified.ok()) {
    const std::string reason(verified.message());
    if (verified.code() != absl::StatusCode::kUnauthenticated) {
      Logger()->error(
          "telnyx webhook cannot be verified: tenant {}'s telnyx.public_key is "
          "unusable: {}",
          tenant_id, reason);
      return respond(TextResponse(500, "webhook verification misconfigured\n"));
    }
    return RefuseUnverified("telnyx webhook", reason, tenant_id, request, metrics_.get(),
                            AdapterMetrics::Provider::kTelnyx, respond);
  }

  if (!HasMediaType(request.Header("content-type"), kJsonContentType)) {
    return respond(TextResponse(400, "Content-Type must be application/json\n"));
  }
  auto query = http::ParseForm(request.query);
  if (!query.ok()) return respond(TextResponse(400, "malformed query string\n"));
  auto event_type = ::callcontrol::telnyx::ParseTelnyxEventType(request.body);
  if (!event_type.ok()) {
    return RejectMalformed("telnyx webhook", event_type.status(), tenant_id, respond);
  }
  http::Response ack;
  ack.content_type = "application/json";
  ack.body = kTelnyxAck;
  if (!::callcontrol::telnyx::IsCallStateEvent(*event_type)) {
    Logger()->debug("telnyx webhook ignored: event_type={} tenant={}", event_type->substr(0, 64),
                    tenant_id);
    return respond(std::move(ack));
  }

  const std::string* call_id = http::FindParam(*query, "call_id");
  auto report = ::callcontrol::telnyx::ParseTelnyxWebhook(
      tenant_id, call_id == nullptr ? "" : *call_id, request.body);
  if (!report.ok()) {
    const std::string message(report.status().message());
    Logger()->info("telnyx webhook rejected: {} tenant={} event_type={}", message, tenant_id,
                   *event_type);
    return respond(TextResponse(400, message + "\n"));
  }
  std::string call_ref = "call_control_id=" + report->provider_ids().call_control_id() +
                         " event_id=" + report->provider_event_id();
  ForwardToDaemon("telnyx webhook", tenant_id, std::move(call_ref), *std::move(report),
                  std::move(ack), std::move(respond));
}

std::optional<std::string> WebhookRouter::CheckTokenRequest(
    const char* what, AdapterMetrics::Provider provider, std::string_view tenant_view,
    const http::Request& request, const http::Responder& respond, http::FormParams* query) const {
  const auto expected = webhook_token_digests_.find(ToAbsl(tenant_view));
  if (expected == webhook_token_digests_.end()) {
    respond(TextResponse(404, "unknown tenant\n"));
    return std::nullopt;
  }
  std::string tenant_id(tenant_view);
  if (request.method != "POST") {
    respond(MethodNotAllowed("POST"));
    return std::nullopt;
  }
  // The header when sent, else the query parameter (a malformed query carries no token).
  auto parsed_query = http::ParseForm(request.query);
  std::string_view token = request.Header(kWebhookTokenHeader);
  if (token.empty() && parsed_query.ok()) {
    if (const std::string* param = http::FindParam(*parsed_query, kWebhookTokenParam);
        param != nullptr) {
      token = *param;
    }
  }
  if (token.empty()) {
    RefuseUnverified(what, "missing webhook token", tenant_id, request, metrics_.get(), provider,
                     respond);
    return std::nullopt;
  }
  const std::array<unsigned char, 32> presented = Sha256(token);
  if (CRYPTO_memcmp(presented.data(), expected->second.data(), presented.size()) != 0) {
    RefuseUnverified(what, "invalid webhook token", tenant_id, request, metrics_.get(), provider,
                     respond);
    return std::nullopt;
  }
  if (!parsed_query.ok()) {
    respond(TextResponse(400, "malformed query string\n"));
    return std::nullopt;
  }
  *query = *std::move(parsed_query);
  return tenant_id;
}

void WebhookRouter::HandleExotelStatus(std::string_view tenant_view, const http::Request& request,
                                       http::Responder respond) const {
  constexpr const char* kWhat = "exotel status callback";
  http::FormParams query;
  const auto tenant_id = CheckTokenRequest(kWhat, AdapterMetrics::Provider::kExotel, tenant_view,
                                           request, respond, &query);
  if (!tenant_id.has_value()) return;

  const std::string_view content_type = request.Header("content-type");
  absl::StatusOr<http::FormParams> fields;
  if (HasMediaType(content_type, kFormContentType)) {
    fields = http::ParseForm(request.body);
    if (!fields.ok()) return respond(TextResponse(400, "malformed form body\n"));
  } else if (HasMediaType(content_type, kJsonContentType)) {
    fields = ::callcontrol::exotel::ExotelFieldsFromJson(request.body);
  } else {
    return respond(TextResponse(
        400, "Content-Type must be application/x-www-form-urlencoded or application/json\n"));
  }
  if (!fields.ok()) return RejectMalformed(kWhat, fields.status(), *tenant_id, respond);
  const std::string* call_id = http::FindParam(query, "call_id");
  auto report = ::callcontrol::exotel::ParseExotelStatusCallback(
      *tenant_id, call_id == nullptr ? "" : *call_id, *fields);
  if (!report.ok()) return RejectMalformed(kWhat, report.status(), *tenant_id, respond);
  std::string call_ref = "call_sid=" + report->provider_ids().call_sid();
  ForwardToDaemon(kWhat, *tenant_id, std::move(call_ref), *std::move(report), JsonAck(),
                  std::move(respond));
}

void WebhookRouter::HandleBolna(std::string_view tenant_view, const http::Request& request,
                                http::Responder respond) const {
  constexpr const char* kWhat = "bolna webhook";
  http::FormParams query;
  const auto tenant_id = CheckTokenRequest(kWhat, AdapterMetrics::Provider::kBolna, tenant_view,
                                           request, respond, &query);
  if (!tenant_id.has_value()) return;
  if (!HasMediaType(request.Header("content-type"), kJsonContentType)) {
    return respond(TextResponse(400, "Content-Type must be application/json\n"));
  }
  const std::string* call_id = http::FindParam(query, "call_id");
  auto report = ::callcontrol::bolna::ParseBolnaExecution(
      *tenant_id, call_id == nullptr ? "" : *call_id, request.body);
  if (!report.ok()) return RejectMalformed(kWhat, report.status(), *tenant_id, respond);
  std::string call_ref = "execution_id=" + report->provider_ids().execution_id() +
                         " status=" + report->provider_status().substr(0, 32);
  ForwardToDaemon(kWhat, *tenant_id, std::move(call_ref), *std::move(report), JsonAck(),
                  std::move(respond));
}

void WebhookRouter::ForwardToDaemon(const char* what, std::string tenant_id, std::string call_ref,
                                    internal::v1::ReportProviderEventRequest report,
                                    http::Response success, http::Responder respond) const {
  daemon_->ReportProviderEvent(
      std::move(report),
      [what, metrics = metrics_.get(), respond = std::move(respond), success = std::move(success),
       tenant_id = std::move(tenant_id), call_ref = std::move(call_ref)](
          const absl::Status& status, const internal::v1::ReportProviderEventResponse&) mutable {
        if (status.ok()) return respond(std::move(success));
        respond(DaemonErrorResponse(metrics, what, status, tenant_id, call_ref));
      });
}

}  // namespace callcontrol::webhook_adapter
