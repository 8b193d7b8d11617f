#include "providers/twilio/twilio_webhook_handler.h"

#include <cstdint>
#include <utility>

#include "absl/strings/numbers.h"
#include "providers/twilio/twilio_account.h"
#include "providers/twilio/twilio_recording_callback.h"
#include "providers/twilio/twilio_signature.h"
#include "providers/twilio/twilio_status_callback.h"
#include "providers/webhook_checks.h"

namespace callcontrol::twilio {
namespace {

using providers::Respond;
using providers::TextResponse;
using providers::WebhookOutcome;

// Indexes into actions().
enum Action : size_t { kStatus, kRecording, kVoice, kCloneStatus };

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

http::Response TwimlAck() {
  http::Response ack;
  ack.content_type = "text/xml";
  ack.body = kEmptyTwiml;
  return ack;
}

// The value of form field `name`, or "".
std::string FormValue(const http::FormParams& form, std::string_view name) {
  const std::string* value = http::FindParam(form, name);
  return value == nullptr ? std::string() : *value;
}

// The `call_id` query parameter, or "".
std::string_view CallIdParam(const http::FormParams& query) {
  const std::string* call_id = http::FindParam(query, "call_id");
  return call_id == nullptr ? std::string_view() : std::string_view(*call_id);
}

}  // namespace

TwilioWebhookHandler::TwilioWebhookHandler(const providers::WebhookContext& context)
    : public_url_(context.public_url) {
  for (const config::TenantConfig& tenant : context.config->tenants) {
    // An empty auth token would let anyone compute a valid signature: such a tenant gets 404.
    const TwilioAccount* account = AccountOf(tenant);
    if (account != nullptr && !account->auth_token.empty()) {
      auth_tokens_.emplace(tenant.id, account->auth_token);
    }
  }
}

std::string_view TwilioWebhookHandler::verification() const {
  return "X-Twilio-Signature over the public URL with the tenant's twilio.auth_token";
}

std::optional<WebhookOutcome> TwilioWebhookHandler::Check(const char* what,
                                                          std::string_view tenant_id,
                                                          const http::Request& request,
                                                          Checked* checked) const {
  const auto token = auth_tokens_.find(ToAbsl(tenant_id));
  if (token == auth_tokens_.end()) return providers::UnknownTenant(what);
  if (request.method != "POST")
    return Respond(what, tenant_id, providers::MethodNotAllowed("POST"));
  if (!providers::HasMediaType(request.Header("content-type"), providers::kFormContentType)) {
    return Respond(what, tenant_id,
                   TextResponse(400, "Content-Type must be application/x-www-form-urlencoded\n"));
  }
  auto form = http::ParseForm(request.body);
  if (!form.ok()) return Respond(what, tenant_id, TextResponse(400, "malformed form body\n"));
  auto query = http::ParseForm(request.query);
  if (!query.ok()) return Respond(what, tenant_id, TextResponse(400, "malformed query string\n"));

  // Twilio signed the URL it was given: the public URL plus the target exactly as sent.
  const std::string_view signature = request.Header("x-twilio-signature");
  if (signature.empty()) {
    return providers::RefuseUnverified(what, "missing X-Twilio-Signature", tenant_id, request);
  }
  std::string url;
  url.reserve(public_url_.size() + request.target.size());
  url.append(public_url_);
  url.append(request.target);
  if (!ValidateSignature(token->second, url, *form, signature)) {
    return providers::RefuseUnverified(what, "invalid X-Twilio-Signature", tenant_id, request);
  }
  checked->form = *std::move(form);
  checked->query = *std::move(query);
  return std::nullopt;
}

WebhookOutcome TwilioWebhookHandler::Handle(size_t action_index, std::string_view tenant_id,
                                            const http::Request& request) const {
  static constexpr const char* kWhat[] = {"twilio status callback", "twilio recording callback",
                                          "twilio incoming call", "twilio clone-status"};
  if (action_index >= actions_.size()) {
    return Respond("twilio webhook", tenant_id, TextResponse(404, "not found\n"));
  }
  const char* const what = kWhat[action_index];
  Checked checked;
  if (auto refusal = Check(what, tenant_id, request, &checked); refusal.has_value()) {
    return *std::move(refusal);
  }
  const http::FormParams& form = checked.form;
  const http::FormParams& query = checked.query;
  switch (action_index) {
    case kStatus: {
      auto report = ParseTwilioStatusCallback(tenant_id, CallIdParam(query), form);
      if (!report.ok()) return providers::RejectMalformed(what, report.status(), tenant_id);
      std::string call_ref = "call_sid=" + report->provider_ids().call_sid();
      return providers::Report(what, tenant_id, std::move(call_ref), *std::move(report),
                               TwimlAck());
    }
    case kRecording: {
      auto report = ParseTwilioRecordingCallback(tenant_id, CallIdParam(query), form);
      if (!report.ok()) return providers::RejectMalformed(what, report.status(), tenant_id);
      std::string call_ref = "call_sid=" + report->provider_ids().call_sid() +
                             " recording_sid=" + report->recording().recording_id();
      return providers::Report(what, tenant_id, std::move(call_ref), *std::move(report),
                               TwimlAck());
    }
    case kVoice: {
      WebhookOutcome outcome = Respond(what, tenant_id, {});
      internal::v1::StartInboundCallRequest& start = outcome.start_inbound;
      start.set_tenant_id(std::string(tenant_id));
      start.set_provider(v1::PROVIDER_TWILIO);
      start.mutable_provider_ids()->set_call_sid(FormValue(form, "CallSid"));
      if (start.provider_ids().call_sid().empty()) {
        providers::WebhookLog().info("{} rejected: no CallSid tenant={}", what, tenant_id);
        return Respond(what, tenant_id, TextResponse(400, "missing CallSid\n"));
      }
      start.set_from(FormValue(form, "From"));
      start.set_to(FormValue(form, "To"));
      start.set_provider_status(FormValue(form, "CallStatus"));
      outcome.action = WebhookOutcome::Action::kStartInbound;
      outcome.call_ref = "call_sid=" + start.provider_ids().call_sid();
      return outcome;
    }
    default: {  // kCloneStatus
      const std::string* call_id = http::FindParam(query, "call_id");
      if (call_id == nullptr || call_id->empty()) {
        return Respond(what, tenant_id, TextResponse(400, "missing call_id\n"));
      }
      int64_t attempt = 1;
      if (const std::string* attempt_param = http::FindParam(query, "attempt");
          attempt_param != nullptr &&
          (!absl::SimpleAtoi(ToAbsl(*attempt_param), &attempt) || attempt < 1)) {
        return Respond(what, tenant_id, TextResponse(400, "attempt must be a positive integer\n"));
      }
      WebhookOutcome outcome = Respond(what, tenant_id, {});
      outcome.action = WebhookOutcome::Action::kCloneProgress;
      outcome.clone_progress.set_tenant_id(std::string(tenant_id));
      outcome.clone_progress.set_call_id(*call_id);
      outcome.clone_attempt = attempt;
      outcome.call_ref = "call_id=" + call_id->substr(0, 64);
      return outcome;
    }
  }
}

}  // namespace callcontrol::twilio
