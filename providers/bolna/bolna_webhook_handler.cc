#include "providers/bolna/bolna_webhook_handler.h"

#include <utility>

#include "providers/bolna/bolna_execution.h"

namespace callcontrol::bolna {

using providers::WebhookOutcome;

BolnaWebhookHandler::BolnaWebhookHandler(const providers::WebhookContext& context)
    : tokens_(*context.config) {}

std::string_view BolnaWebhookHandler::verification() const {
  return "the tenant's webhook_token (X-Webhook-Token header or token query parameter)";
}

WebhookOutcome BolnaWebhookHandler::Handle(size_t /*action_index*/, std::string_view tenant_id,
                                           const http::Request& request) const {
  static constexpr const char* kWhat = "bolna webhook";
  http::FormParams query;
  if (auto refusal = tokens_.Check(kWhat, tenant_id, request, &query); refusal.has_value()) {
    return *std::move(refusal);
  }
  if (!providers::HasMediaType(request.Header("content-type"), providers::kJsonContentType)) {
    return providers::Respond(
        kWhat, tenant_id, providers::TextResponse(400, "Content-Type must be application/json\n"));
  }
  const std::string* call_id = http::FindParam(query, "call_id");
  auto report = ParseBolnaExecution(tenant_id, call_id == nullptr ? "" : *call_id, request.body);
  if (!report.ok()) return providers::RejectMalformed(kWhat, report.status(), tenant_id);
  std::string call_ref = "execution_id=" + report->provider_ids().execution_id() +
                         " status=" + report->provider_status().substr(0, 32);
  return providers::Report(kWhat, tenant_id, std::move(call_ref), *std::move(report),
                           providers::JsonAck());
}

}  // namespace callcontrol::bolna
