#include "webhook_adapter/webhook_router.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "providers/twilio/twilio_signature.h"
#include "webhook_adapter/providers/twilio/twilio_status_callback.h"

namespace callcontrol::webhook_adapter {
namespace {

constexpr std::string_view kTwilioPrefix = "/webhooks/twilio/";
constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";

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

// True when the Content-Type's media type (before any ';' parameters) is a form.
bool IsFormContentType(std::string_view content_type) {
  const std::string_view media_type = content_type.substr(0, content_type.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(ToAbsl(media_type)),
                                ToAbsl(kFormContentType));
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
    if (tenant.provider == v1::PROVIDER_TWILIO) {
      twilio_auth_tokens_.emplace(tenant.id, tenant.twilio.auth_token);
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
  } else if (path == "/healthz") {
    return HandleHealth(request, respond);
  }
  respond(TextResponse(404, "not found\n"));
}

void WebhookRouter::HandleHealth(const http::Request& request,
                                 const http::Responder& respond) const {
  if (request.method != "GET") {
    http::Response response = TextResponse(405, "method not allowed\n");
    response.headers.emplace_back("Allow", "GET");
    return respond(std::move(response));
  }
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
  if (request.method != "POST") {
    http::Response response = TextResponse(405, "method not allowed\n");
    response.headers.emplace_back("Allow", "POST");
    return respond(std::move(response));
  }
  if (!IsFormContentType(request.Header("content-type"))) {
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
  std::string call_sid = report->provider_ids().call_sid();
  daemon_->ReportProviderEvent(
      *std::move(report),
      [respond = std::move(respond), tenant_id, call_sid = std::move(call_sid)](
          const absl::Status& status, const internal::v1::ReportProviderEventResponse&) {
        if (status.ok()) {
          http::Response response;
          response.content_type = "text/xml";
          response.body = kEmptyTwiml;
          return respond(std::move(response));
        }
        const int http_status = HttpStatusForDaemonCode(status.code());
        Logger()->warn(
            "twilio status callback not recorded: code={} http_status={} tenant={} "
            "call_sid={} message=\"{}\"",
            absl::StatusCodeToString(status.code()), http_status, tenant_id, call_sid,
            std::string(status.message()));
        respond(TextResponse(http_status, std::string(absl::StatusCodeToString(status.code())) +
                                              " from callcontrold\n"));
      });
}

}  // namespace callcontrol::webhook_adapter
