// The one definition of the adapter's webhook URL layout, used by the daemon (the callback URLs
// it hands to a provider when it places a call) and by the adapter (routing what arrives):
//
//   {public_url}/webhooks/{provider}/{tenant}[/{action}][?{query}]
//
// `provider` is the provider's registry name (Provider::name()), `tenant` a tenant id
// ([a-z0-9_-]{1,64}, config.h), `action` one path segment or none (for a provider with a single
// route per tenant), `query` an application/x-www-form-urlencoded string whose order is kept (a
// provider may sign the URL exactly as it was given). Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/http/form.h"

namespace callcontrol::providers {

inline constexpr std::string_view kWebhooksPrefix = "/webhooks/";

// The query parameter a callback URL carries callcontrol's call id in, so a webhook that
// overtakes the provider's answer to the dial still finds the call.
inline constexpr std::string_view kCallIdParam = "call_id";

// {public_url}/webhooks/{provider}/{tenant}[/{action}][?{EncodeForm(query)}]. `public_url` has no
// trailing slash (config.h trims it); `action` "" gives no action segment; an empty `query` gives
// no '?'. Tenant and action are taken as they are (config ids and literal actions need no
// escaping); query names and values are percent-encoded.
std::string WebhookUrl(std::string_view public_url, std::string_view provider,
                       std::string_view tenant, std::string_view action,
                       const http::FormParams& query = {});

// A request path under kWebhooksPrefix split into its parts (views into the path).
struct WebhookPath {
  std::string_view provider;    // never empty
  std::string_view tenant;      // "" when the path ends after the provider
  std::string_view action;      // "" when there is none
  bool extra_segments = false;  // more than {provider}/{tenant}/{action}: no route serves it
};

// Splits `path` (the request path, without the query) as laid out above. nullopt when it is not
// under kWebhooksPrefix or names no provider. Empty segments ("/webhooks/<provider>//status") leave
// the tenant empty, which no route accepts.
std::optional<WebhookPath> ParseWebhookPath(std::string_view path);

}  // namespace callcontrol::providers
