#include "providers/webhook_urls.h"

namespace callcontrol::providers {

std::string WebhookUrl(std::string_view public_url, std::string_view provider,
                       std::string_view tenant, std::string_view action,
                       const http::FormParams& query) {
  std::string url;
  url.reserve(public_url.size() + kWebhooksPrefix.size() + provider.size() + tenant.size() +
              action.size() + 64);
  url.append(public_url);
  url.append(kWebhooksPrefix);
  url.append(provider);
  url.push_back('/');
  url.append(tenant);
  if (!action.empty()) {
    url.push_back('/');
    url.append(action);
  }
  if (!query.empty()) {
    url.push_back('?');
    url.append(http::EncodeForm(query));
  }
  return url;
}

std::optional<WebhookPath> ParseWebhookPath(std::string_view path) {
  if (path.substr(0, kWebhooksPrefix.size()) != kWebhooksPrefix) return std::nullopt;
  std::string_view rest = path.substr(kWebhooksPrefix.size());
  // Takes the next segment off `rest`; `*more` tells whether a '/' followed it.
  auto next = [&rest](bool* more) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    *more = slash != std::string_view::npos;
    rest = *more ? rest.substr(slash + 1) : std::string_view();
    return segment;
  };
  WebhookPath parts;
  bool more = false;
  parts.provider = next(&more);
  if (parts.provider.empty()) return std::nullopt;
  if (!more) return parts;
  parts.tenant = next(&more);
  if (!more) return parts;
  parts.action = next(&more);
  // "/webhooks/p/t/" (a trailing slash) leaves an empty action with nothing after it: no route.
  parts.extra_segments = more || parts.action.empty();
  return parts;
}

}  // namespace callcontrol::providers
