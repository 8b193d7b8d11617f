// The adapter's handler for Bolna's webhooks: the execution webhook Bolna POSTs to an agent's
// webhook URL on every status change, in the shape of its Get Execution response
// (https://www.bolna.ai/docs/api-reference/executions/get_execution), read by
// ParseBolnaExecution (bolna_execution.h). Bolna does not sign its webhooks: the tenant's
// webhook_token authenticates them (providers/webhook_checks.h). Thread-safe: immutable after
// construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "providers/provider.h"
#include "providers/webhook_checks.h"

namespace callcontrol::bolna {

// Route (one action, "", served at the tenant itself; metrics route label "webhook"):
//   POST /webhooks/bolna/{tenant}?token=<webhook token>[&call_id=<call id>]
//     404 "unknown tenant" for a tenant without a webhook_token (any tenant that has one is
//     served); 405 not POST; 403 "missing webhook token" / "invalid webhook token"
//     (verification_failed; X-Webhook-Token header if sent, else the `token` query parameter);
//     400 "malformed query string"; 400 "Content-Type must be application/json"; 400 an invalid
//     body (the parser's message); else kReport of ParseBolnaExecution(tenant, call_id, body),
//     answered 200 "{}" application/json once the daemon acknowledged it (call_ref
//     "execution_id=<id> status=<status, 32 bytes at most>").
class BolnaWebhookHandler final : public providers::WebhookHandler {
 public:
  explicit BolnaWebhookHandler(const providers::WebhookContext& context);

  const std::vector<std::string>& actions() const override { return actions_; }
  std::string_view route_label(size_t /*i*/) const override { return "webhook"; }
  std::string_view verification() const override;
  // Bolna posts the whole execution, transcript included: up to 1 MiB.
  size_t max_body_bytes(size_t /*action_index*/) const override { return 1024 * 1024; }
  providers::WebhookOutcome Handle(size_t action_index, std::string_view tenant_id,
                                   const http::Request& request) const override;

 private:
  const std::vector<std::string> actions_ = {""};
  const providers::WebhookTokens tokens_;
};

}  // namespace callcontrol::bolna
