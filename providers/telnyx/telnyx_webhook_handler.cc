#include "providers/telnyx/telnyx_webhook_handler.h"

#include <utility>

#include "absl/time/clock.h"
#include "providers/telnyx/telnyx_account.h"
#include "providers/telnyx/telnyx_event.h"
#include "providers/telnyx/telnyx_signature.h"
#include "providers/webhook_checks.h"

namespace callcontrol::telnyx {
namespace {

using providers::Respond;
using providers::TextResponse;
using providers::WebhookOutcome;

constexpr const char* kWhat = "telnyx webhook";

http::Response Ack() {
  http::Response ack;
  ack.content_type = std::string(providers::kJsonContentType);
  ack.body = kTelnyxAck;
  return ack;
}

}  // namespace

TelnyxWebhookHandler::TelnyxWebhookHandler(const providers::WebhookContext& context) {
  for (const config::TenantConfig& tenant : context.config->tenants) {
    const TelnyxAccount* account = AccountOf(tenant);
    if (account == nullptr || account->public_key.empty()) continue;
    tenants_.emplace(
        tenant.id, Tenant{account->public_key, absl::Seconds(account->webhook_tolerance_seconds)});
  }
}

std::string_view TelnyxWebhookHandler::verification() const {
  return "Ed25519 telnyx-signature-ed25519 with the tenant's telnyx.public_key";
}

WebhookOutcome TelnyxWebhookHandler::Handle(size_t /*action_index*/, std::string_view tenant_id,
                                            const http::Request& request) const {
  const auto tenant = tenants_.find(absl::string_view(tenant_id.data(), tenant_id.size()));
  if (tenant == tenants_.end()) return providers::UnknownTenant(kWhat);
  if (request.method != "POST") {
    return Respond(kWhat, tenant_id, providers::MethodNotAllowed("POST"));
  }

  // The signature covers the raw body byte for byte: check it before reading anything else.
  const absl::Status verified = VerifyWebhookSignature(
      tenant->second.public_key, request.Header(kTimestampHeader), request.body,
      request.Header(kSignatureHeader), absl::Now(), tenant->second.tolerance);
  if (!verified.ok()) {
    const std::string reason(verified.message());
    if (verified.code() != absl::StatusCode::kUnauthenticated) {
      providers::WebhookLog().error(
          "telnyx webhook cannot be verified: tenant {}'s telnyx.public_key is unusable: {}",
          tenant_id, reason);
      return Respond(kWhat, tenant_id, TextResponse(500, "webhook verification misconfigured\n"));
    }
    return providers::RefuseUnverified(kWhat, reason, tenant_id, request);
  }

  if (!providers::HasMediaType(request.Header("content-type"), providers::kJsonContentType)) {
    return Respond(kWhat, tenant_id, TextResponse(400, "Content-Type must be application/json\n"));
  }
  auto event_type = ParseTelnyxEventType(request.body);
  if (!event_type.ok()) return providers::RejectMalformed(kWhat, event_type.status(), tenant_id);
  if (!IsCallStateEvent(*event_type)) {
    providers::WebhookLog().debug("telnyx webhook ignored: event_type={} tenant={}",
                                  event_type->substr(0, 64), tenant_id);
    return Respond(kWhat, tenant_id, Ack());
  }

  // The call comes from the signed body only (client_state), never from the unsigned query.
  auto report = ParseTelnyxWebhook(tenant_id, request.body);
  if (!report.ok()) {
    const std::string message(report.status().message());
    providers::WebhookLog().info("telnyx webhook rejected: {} tenant={} event_type={}", message,
                                 tenant_id, *event_type);
    return Respond(kWhat, tenant_id, TextResponse(400, message + "\n"));
  }
  std::string call_ref = "call_control_id=" + report->provider_ids().call_control_id() +
                         " event_id=" + report->provider_event_id();
  return providers::Report(kWhat, tenant_id, std::move(call_ref), *std::move(report), Ack());
}

}  // namespace callcontrol::telnyx
