// The adapter's request routing (webhook_adapter/webhook_router.cc, WebhookRouter::Handle and
// MatchWebhook) up to the daemon call: a request in the fuzz_support.h format has its target
// split into path and query as the HTTP server does, the path split by ParseWebhookPath
// (providers/webhook_urls.h), the provider found by name in the registry and the action among its
// handler's actions(), exactly as MatchWebhook does; then that handler's Handle (the query parsed
// by ParseForm there) and CheckOutcome, the check CarryOut makes before the daemon is called.
// WebhookRouter itself needs a live DaemonClient (gRPC), so the routing steps are repeated here
// with the same public functions.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/http/form.h"
#include "providers/registry.h"
#include "providers/webhook_urls.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;
namespace providers = callcontrol::providers;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  callcontrol::http::Request request =
      fuzz::ParseFuzzRequest(std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::SignTwilio(&request);
  fuzz::SignTelnyx(&request);
  // Every query reaches ParseForm in some handler; parse it here too, whatever the path.
  (void)callcontrol::http::ParseForm(request.query);

  const std::string_view path = request.path;
  if (path.substr(0, providers::kWebhooksPrefix.size()) != providers::kWebhooksPrefix) return 0;
  const std::optional<providers::WebhookPath> parts = providers::ParseWebhookPath(path);
  if (!parts.has_value()) return 0;
  fuzz::Require(!parts->provider.empty());
  // The parts are views into the path, in order.
  fuzz::Require(parts->provider.data() >= path.data() &&
                parts->provider.data() + parts->provider.size() <= path.data() + path.size());
  const providers::Provider* provider = providers::FindProviderNamed(parts->provider);
  if (provider == nullptr) return 0;
  if (parts->tenant.empty() || parts->extra_segments) return 0;
  const providers::WebhookHandler& handler = fuzz::HandlerFor(provider->name());
  const auto& actions = handler.actions();
  const auto action = std::find(actions.begin(), actions.end(), parts->action);
  if (action == actions.end()) return 0;
  const providers::WebhookOutcome outcome =
      handler.Handle(static_cast<size_t>(action - actions.begin()), parts->tenant, request);
  fuzz::PrintOutcome(outcome);
  fuzz::CheckOutcome(outcome);
  return 0;
}
