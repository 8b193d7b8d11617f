#include "providers/exotel/exotel_webhook_handler.h"

#include <utility>

#include "absl/status/statusor.h"
#include "providers/exotel/exotel_callback.h"

namespace callcontrol::exotel {

using providers::WebhookOutcome;

ExotelWebhookHandler::ExotelWebhookHandler(const providers::WebhookContext& context)
    : tokens_(*context.config) {}

std::string_view ExotelWebhookHandler::verification() const {
  return "the tenant's webhook_token (X-Webhook-Token header or token query parameter)";
}

WebhookOutcome ExotelWebhookHandler::Handle(size_t /*action_index*/, std::string_view tenant_id,
                                            const http::Request& request) const {
  static constexpr const char* kWhat = "exotel status callback";
  http::FormParams query;
  if (auto refusal = tokens_.Check(kWhat, tenant_id, request, &query); refusal.has_value()) {
    return *std::move(refusal);
  }
  const std::string_view content_type = request.Header("content-type");
  absl::StatusOr<http::FormParams> fields;
  if (providers::HasMediaType(content_type, providers::kFormContentType)) {
    fields = http::ParseForm(request.body);
    if (!fields.ok()) {
      return providers::Respond(kWhat, tenant_id,
                                providers::TextResponse(400, "malformed form body\n"));
    }
  } else if (providers::HasMediaType(content_type, providers::kJsonContentType)) {
    fields = ExotelFieldsFromJson(request.body);
  } else {
    return providers::Respond(
        kWhat, tenant_id,
        providers::TextResponse(
            400, "Content-Type must be application/x-www-form-urlencoded or application/json\n"));
  }
  if (!fields.ok()) return providers::RejectMalformed(kWhat, fields.status(), tenant_id);
  const std::string* call_id = http::FindParam(query, "call_id");
  auto report = ParseExotelStatusCallback(tenant_id, call_id == nullptr ? "" : *call_id, *fields);
  if (!report.ok()) return providers::RejectMalformed(kWhat, report.status(), tenant_id);
  std::string call_ref = "call_sid=" + report->provider_ids().call_sid();
  return providers::Report(kWhat, tenant_id, std::move(call_ref), *std::move(report),
                           providers::JsonAck());
}

}  // namespace callcontrol::exotel
