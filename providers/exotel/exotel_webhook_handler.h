// The adapter's handler for Exotel's webhooks: the status callback Exotel POSTs to a call's
// StatusCallback URL (https://developer.exotel.com/api/statuscallback), form or JSON body,
// read by ParseExotelStatusCallback (exotel_callback.h). Exotel does not sign its callbacks: the
// tenant's webhook_token authenticates them (providers/webhook_checks.h). Thread-safe: immutable
// after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "providers/provider.h"
#include "providers/webhook_checks.h"

namespace callcontrol::exotel {

// Route (one action, "status"; metrics route label "status"):
//   POST /webhooks/exotel/{tenant}/status?token=<webhook token>[&call_id=<call id>]
//     404 "unknown tenant" for a tenant without a webhook_token (any tenant that has one is
//     served); 405 not POST; 403 "missing webhook token" / "invalid webhook token"
//     (verification_failed; X-Webhook-Token header if sent, else the `token` query parameter);
//     400 "malformed query string"; 400 for a Content-Type that is neither
//     application/x-www-form-urlencoded nor application/json, a malformed form body or an
//     invalid body (the parser's message); else kReport of ParseExotelStatusCallback(tenant,
//     call_id, fields), answered 200 "{}" application/json once the daemon acknowledged it
//     (call_ref "call_sid=<CallSid>").
class ExotelWebhookHandler final : public providers::WebhookHandler {
 public:
  explicit ExotelWebhookHandler(const providers::WebhookContext& context);

  const std::vector<std::string>& actions() const override { return actions_; }
  std::string_view route_label(size_t i) const override { return actions_[i]; }
  std::string_view verification() const override;
  providers::WebhookOutcome Handle(size_t action_index, std::string_view tenant_id,
                                   const http::Request& request) const override;

 private:
  const std::vector<std::string> actions_ = {"status"};
  const providers::WebhookTokens tokens_;
};

}  // namespace callcontrol::exotel
