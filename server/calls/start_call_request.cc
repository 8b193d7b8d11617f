#include "server/calls/start_call_request.h"

#include "common/sha256.h"
#include "providers/registry.h"
#include "server/calls/call_ids.h"

namespace callcontrol::calls {
namespace {

bool IsPrintableAscii(const std::string& s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

absl::Status NotE164(const char* field, const std::string& value) {
  return absl::InvalidArgumentError(std::string(field) +
                                    " must be an E.164 number like +14155550100, got \"" +
                                    value.substr(0, 32) + "\"");
}

}  // namespace

std::string RequestHash(const std::string& to, const std::string& from, const std::string& twiml) {
  std::string data = to;
  data.push_back('\0');
  data += from;
  data.push_back('\0');
  data += twiml;
  return Sha256Hex(data);
}

absl::StatusOr<NewCall> CheckStartCall(const config::Config& config, const ProviderClients& clients,
                                       const std::string& tenant_id,
                                       const v1::StartCallRequest& request) {
  const config::TenantConfig* tenant = config.FindTenant(tenant_id);
  if (tenant == nullptr) return absl::InvalidArgumentError("unknown tenant " + tenant_id);
  NewCall call;
  call.client = clients.Find(tenant->provider);
  if (call.client == nullptr) {
    const providers::Provider* provider = providers::FindProvider(tenant->provider);
    const std::string name(provider == nullptr ? "a provider" : provider->display_name());
    return absl::FailedPreconditionError("tenant " + tenant_id + " uses " + name +
                                         ", whose calls are started by " + name + " agents");
  }
  if (!IsE164(request.to())) return NotE164("to", request.to());
  providers::DialRequest& dial = call.dial;
  dial.tenant = tenant;
  dial.public_url = config.adapter.public_url;
  dial.to = request.to();
  dial.from = request.from().empty() ? tenant->default_from : request.from();
  if (dial.from.empty()) {
    return absl::InvalidArgumentError("from is empty and tenant " + tenant_id +
                                      " has no default_from configured");
  }
  if (!IsE164(dial.from)) return NotE164("from", dial.from);
  call.idempotency_key = request.idempotency_key();
  if (call.idempotency_key.size() > kMaxIdempotencyKey || !IsPrintableAscii(call.idempotency_key)) {
    return absl::InvalidArgumentError(
        "idempotency_key must be at most 128 printable ASCII characters without spaces");
  }
  if (auto s = call.client->CheckStartCall(*tenant, request); !s.ok()) return s;
  dial.twiml = request.twiml().empty() ? tenant->default_twiml : request.twiml();
  if (dial.twiml.size() > kMaxTwiml) {
    return absl::InvalidArgumentError("twiml is longer than 4000 characters");
  }
  call.request_hash = RequestHash(dial.to, dial.from, dial.twiml);
  return call;
}

absl::StatusOr<v1::Call> ReplayIdempotent(const v1::Call& existing, const std::string& stored_hash,
                                          const NewCall& call) {
  if (stored_hash != call.request_hash) {
    return absl::AlreadyExistsError("idempotency_key \"" + call.idempotency_key +
                                    "\" was already used for a different request (call " +
                                    existing.call_id() + ")");
  }
  return existing;
}

}  // namespace callcontrol::calls
