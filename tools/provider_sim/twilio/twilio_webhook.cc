#include "tools/provider_sim/twilio/twilio_webhook.h"

#include <utility>

#include "providers/twilio/twilio_signature.h"

namespace callcontrol::provider_sim {
namespace {

constexpr char kUserAgent[] = "TwilioProxy/1.1";

}  // namespace

WebhookRequest BuildTwilioCallbackRequest(const TwilioCallback& callback) {
  WebhookRequest request;
  request.method = callback.method;
  std::string signature;
  if (callback.method == "GET") {
    request.url = callback.url;
    const size_t q = request.url.find('?');
    if (q == std::string::npos) {
      request.url += '?';
    } else if (q + 1 != request.url.size() && request.url.back() != '&') {
      request.url += '&';
    }
    request.url += http::EncodeForm(callback.params);
    // Twilio signs the URL it requested; for GET the params are already in it.
    signature = twilio::ComputeSignature(callback.auth_token, request.url, {});
  } else {
    request.url = callback.url;
    request.body = http::EncodeForm(callback.params);
    signature = twilio::ComputeSignature(callback.auth_token, callback.url, callback.params);
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  request.headers.emplace_back("X-Twilio-Signature", std::move(signature));
  request.headers.emplace_back("I-Twilio-Idempotency-Token", callback.idempotency_token);
  request.headers.emplace_back("User-Agent", kUserAgent);
  request.headers.emplace_back("Accept", "*/*");
  return request;
}

}  // namespace callcontrol::provider_sim
