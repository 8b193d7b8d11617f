#include "providers/webhook_checks.h"

#include <openssl/crypto.h>

#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/logging.h"

namespace callcontrol::providers {
namespace {

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

spdlog::logger& WebhookLog() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("webhook");
  return *logger;
}

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

http::Response JsonAck() {
  http::Response ack;
  ack.content_type = std::string(kJsonContentType);
  ack.body = kJsonAck;
  return ack;
}

bool HasMediaType(std::string_view content_type, std::string_view media_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(ToAbsl(type)), ToAbsl(media_type));
}

WebhookOutcome Respond(const char* what, std::string_view tenant_id, http::Response response) {
  WebhookOutcome outcome;
  outcome.action = WebhookOutcome::Action::kRespond;
  outcome.what = what;
  outcome.tenant_id = std::string(tenant_id);
  outcome.response = std::move(response);
  return outcome;
}

WebhookOutcome UnknownTenant(const char* what) {
  return Respond(what, "", TextResponse(404, "unknown tenant\n"));
}

WebhookOutcome RefuseUnverified(const char* what, std::string_view reason,
                                std::string_view tenant_id, const http::Request& request) {
  WebhookLog().warn("{} rejected: {} tenant={} path={}", what, reason, tenant_id, request.path);
  WebhookOutcome outcome = Respond(what, tenant_id, TextResponse(403, std::string(reason) + "\n"));
  outcome.verification_failed = true;
  return outcome;
}

WebhookOutcome RejectMalformed(const char* what, const absl::Status& status,
                               std::string_view tenant_id) {
  const std::string message(status.message());
  WebhookLog().info("{} rejected: {} tenant={}", what, message, tenant_id);
  return Respond(what, tenant_id, TextResponse(400, message + "\n"));
}

WebhookOutcome Report(const char* what, std::string_view tenant_id, std::string call_ref,
                      internal::v1::ReportProviderEventRequest report, http::Response success) {
  WebhookOutcome outcome = Respond(what, tenant_id, std::move(success));
  outcome.action = WebhookOutcome::Action::kReport;
  outcome.call_ref = std::move(call_ref);
  outcome.report = std::move(report);
  return outcome;
}

WebhookTokens::WebhookTokens(const config::Config& config) {
  for (const config::TenantConfig& tenant : config.tenants) {
    if (!tenant.webhook_token.empty()) digests_.emplace(tenant.id, Sha256(tenant.webhook_token));
  }
}

std::optional<WebhookOutcome> WebhookTokens::Check(const char* what, std::string_view tenant_id,
                                                   const http::Request& request,
                                                   http::FormParams* query) const {
  const auto expected = digests_.find(ToAbsl(tenant_id));
  if (expected == digests_.end()) return UnknownTenant(what);
  if (request.method != "POST") return Respond(what, tenant_id, MethodNotAllowed("POST"));
  // The header when sent, else the query parameter (a malformed query carries no token).
  auto parsed_query = http::ParseForm(request.query);
  std::string_view token = request.Header(kWebhookTokenHeader);
  if (token.empty() && parsed_query.ok()) {
    if (const std::string* param = http::FindParam(*parsed_query, kWebhookTokenParam);
        param != nullptr) {
      token = *param;
    }
  }
  if (token.empty()) return RefuseUnverified(what, "missing webhook token", tenant_id, request);
  const Sha256Digest presented = Sha256(token);
  if (CRYPTO_memcmp(presented.data(), expected->second.data(), presented.size()) != 0) {
    return RefuseUnverified(what, "invalid webhook token", tenant_id, request);
  }
  if (!parsed_query.ok()) {
    return Respond(what, tenant_id, TextResponse(400, "malformed query string\n"));
  }
  *query = *std::move(parsed_query);
  return std::nullopt;
}

}  // namespace callcontrol::providers
