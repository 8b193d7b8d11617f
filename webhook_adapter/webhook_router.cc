#include "webhook_adapter/webhook_router.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "providers/telnyx/telnyx_event.h"
#include "providers/telnyx/telnyx_signature.h"
#include "providers/twilio/twilio_signature.h"
#include "webhook_adapter/providers/twilio/twilio_status_callback.h"

namespace callcontrol::webhook_adapter {
namespace {

constexpr std::string_view kTwilioPrefix = "/webhooks/twilio/";
constexpr std::string_view kTelnyxPrefix = "/webhooks/telnyx/";
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

http::Response MethodNotAllowed(std::string_view allow) {
  http::Response response = TextResponse(405, "method not allowed\n");
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

// True when the Content-Type's media type (before any ';' parameters) is `media_type`.
bool HasMediaType(std::string_view content_type, std::string_view media_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(ToAbsl(type)), ToAbsl(media_type));
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
    : public_url_(std::move(public_url)), daemon_(daemon) {
  for (const auto& tenant : config.tenants) {
    // An empty auth token would let anyone compute a valid signature: such a tenant gets 404.
    if ((tenant.has_twilio || tenant.provider == v1::PROVIDER_TWILIO) &&
        !tenant.twilio.auth_token.empty()) {
      twilio_auth_tokens_.emplace(tenant.id, tenant.twilio.auth_token);
    }
    if ((tenant.has_telnyx || tenant.provider == v1::PROVIDER_TELNYX) &&
        !tenant.telnyx.public_key.empty()) {
      telnyx_tenants_.emplace(tenant.id,
                              TelnyxTenant{tenant.telnyx.public_key,
                                           absl::Seconds(tenant.telnyx.webhook_tolerance_seconds)});
    }
  }
}

void WebhookRouter::Handle(http::Request&& request, http::Responder respond) const {
  const std::string_view path = request.path;
  if (path.substr(0, kTwilioPrefix.size()) == kTwilioPrefix) {
    const std::string_view rest = path.substr(kTwilioPrefix.size());
    const size_t slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0 && rest.substr(slash + 1) == "status") {
      return HandleTwilioStatus(rest.substr(0, slash), request, std::move(respond));
    }
  } else if (path.substr(0, kTelnyxPrefix.size()) == kTelnyxPrefix) {
    const std::string_view tenant = path.substr(kTelnyxPrefix.size());
    if (!tenant.empty() && tenant.find('/') == std::string_view::npos) {
      return HandleTelnyx(tenant, request, std::move(respond));
    }
  } else if (path == "/healthz") {
    return HandleHealth(request, respond);
  }
  respond(TextResponse(404, "not found\n"));
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

void WebhookRouter::HandleTwilioStatus(std::string_view tenant_view, const http::Request& request,
                                       http::Responder respond) const {
  const auto token = twilio_auth_tokens_.find(ToAbsl(tenant_view));
  if (token == twilio_auth_tokens_.end()) {
    return respond(TextResponse(404, "unknown tenant\n"));
  }
  const std::string tenant_id(tenant_view);
  if (request.method != "POST") return respond(MethodNotAllowed("POST"));
  if (!HasMediaType(request.Header("content-type"), kFormContentType)) {
    return respond(TextResponse(400, "Content-Type must be application/x-www-form-urlencoded\n"));
  }
  auto form = http::ParseForm(request.body);
  if (!form.ok()) return respond(TextResponse(400, "malformed form body\n"));
  auto query = http::ParseForm(request.query);
  if (!query.ok()) return respond(TextResponse(400, "malformed query string\n"));

  // Twilio signed the URL it was given: the public URL plus the target exactly as sent.
  const std::string_view signature = request.Header("x-twilio-signature");
  if (signature.empty()) {
    Logger()->warn("twilio status callback rejected: no X-Twilio-Signature tenant={} path={}",
                   tenant_id, request.path);
    return respond(TextResponse(403, "missing X-Twilio-Signature\n"));
  }
  std::string url;
  url.reserve(public_url_.size() + request.target.size());
  url.append(public_url_);
  url.append(request.target);
  if (!::callcontrol::twilio::ValidateSignature(token->second, url, *form, signature)) {
    Logger()->warn("twilio status callback rejected: bad X-Twilio-Signature tenant={} path={}",
                   tenant_id, request.path);
    return respond(TextResponse(403, "invalid X-Twilio-Signature\n"));
  }

  const std::string* call_id = http::FindParam(*query, "call_id");
  auto report = ParseTwilioStatusCallback(tenant_id, call_id == nullptr ? "" : *call_id, *form);
  if (!report.ok()) {
    const std::string message(report.status().message());
    Logger()->info("twilio status callback rejected: {} tenant={}", message, tenant_id);
    return respond(TextResponse(400, message + "\n"));
  }
  std::string call_ref = "call_sid=" + report->provider_ids().call_sid();
  http::Response success;
  success.content_type = "text/xml";
  success.body = kEmptyTwiml;
  ForwardToDaemon("twilio status callback", tenant_id, std::move(call_ref), *std::move(report),
                  std::move(success), std::move(respond));
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
    Logger()->warn("telnyx webhook rejected: {} tenant={} path={}", reason, tenant_id,
                   request.path);
    return respond(TextResponse(403, reason + "\n"));
  }

  if (!HasMediaType(request.Header("content-type"), kJsonContentType)) {
    return respond(TextResponse(400, "Content-Type must be application/json\n"));
  }
  auto query = http::ParseForm(request.query);
  if (!query.ok()) return respond(TextResponse(400, "malformed query string\n"));
  auto event_type = ::callcontrol::telnyx::ParseTelnyxEventType(request.body);
  if (!event_type.ok()) {
    const std::string message(event_type.status().message());
    Logger()->info("telnyx webhook rejected: {} tenant={}", message, tenant_id);
    return respond(TextResponse(400, message + "\n"));
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

void WebhookRouter::ForwardToDaemon(const char* what, std::string tenant_id, std::string call_ref,
                                    internal::v1::ReportProviderEventRequest report,
                                    http::Response success, http::Responder respond) const {
  daemon_->ReportProviderEvent(
      std::move(report),
      [what, respond = std::move(respond), success = std::move(success),
       tenant_id = std::move(tenant_id), call_ref = std::move(call_ref)](
          const absl::Status& status, const internal::v1::ReportProviderEventResponse&) mutable {
        if (status.ok()) return respond(std::move(success));
        const int http_status = HttpStatusForDaemonCode(status.code());
        if (status.code() == absl::StatusCode::kUnauthenticated) {
          Logger()->error(
              "{} not recorded: adapter internal_api_key rejected by callcontrold (set the same "
              "daemon.internal_api_key in both processes' config) http_status={} tenant={} {}",
              what, http_status, tenant_id, call_ref);
        } else {
          Logger()->warn("{} not recorded: code={} http_status={} tenant={} {} message=\"{}\"",
                         what, absl::StatusCodeToString(status.code()), http_status, tenant_id,
                         call_ref, std::string(status.message()));
        }
        respond(TextResponse(http_status, std::string(absl::StatusCodeToString(status.code())) +
                                              " from callcontrold\n"));
      });
}

}  // namespace callcontrol::webhook_adapter
