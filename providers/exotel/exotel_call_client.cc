#include "providers/exotel/exotel_call_client.h"

#include <string>
#include <utility>

#include "providers/exotel/exotel_account.h"
#include "providers/webhook_urls.h"

namespace callcontrol::exotel {

ExotelCallClient::ExotelCallClient(std::unique_ptr<const providers::ExotelClient> rest)
    : rest_(std::move(rest)) {}

absl::Status ExotelCallClient::CheckStartCall(const config::TenantConfig& /*tenant*/,
                                              const v1::StartCallRequest& /*request*/) const {
  return absl::OkStatus();
}

absl::StatusOr<providers::CallUpdate> ExotelCallClient::Dial(
    const providers::DialRequest& request) const {
  const ExotelAccount* account = AccountOf(*request.tenant);
  if (account == nullptr) {
    return absl::FailedPreconditionError("tenant " + request.tenant->id + " has no exotel block");
  }
  providers::ExotelConnect connect;
  connect.from = request.to;  // Exotel dials `From` and connects it to the call flow
  connect.status_callback =
      providers::WebhookUrl(request.public_url, "exotel", request.tenant->id, "status",
                            {{std::string(providers::kCallIdParam), request.call_id},
                             {"token", request.tenant->webhook_token}});
  connect.custom_field = request.call_id;
  auto created = rest_->Connect(*account, connect);
  if (!created.ok()) return created.status();
  providers::CallUpdate update;
  update.provider_ids.set_call_sid(created->sid);
  return update;
}

absl::Status ExotelCallClient::CheckHangup(const v1::Call& call) const {
  return absl::FailedPreconditionError("Exotel offers no API to end a call in progress (call " +
                                       call.call_id() + ")");
}

absl::StatusOr<std::optional<providers::CallUpdate>> ExotelCallClient::Hangup(
    const config::TenantConfig& /*tenant*/, const v1::Call& leg) const {
  return CheckHangup(leg);
}

}  // namespace callcontrol::exotel
