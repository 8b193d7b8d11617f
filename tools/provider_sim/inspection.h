// What the simulator's test-inspection endpoints (GET /sim/...) share: the GET list / GET one
// item protocol with its errors, RFC 3339 times and the per-attempt delivery list. Each
// provider's inspection JSON lives in its folder (<name>/<name>_inspection.h).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// `t` as RFC 3339 UTC with fractional seconds ("2024-01-15T09:00:00.123456+00:00").
std::string Rfc3339(absl::Time t);

// [{index (the webhook's sequence_number), status, attempt (from 0), http_status (0 = no
// response), error, at}], one per HTTP attempt in the order given.
nlohmann::json DeliveriesJson(const std::vector<DeliveryReport>& deliveries);

// Serves one inspection collection: GET `collection` answers 200 list(limit) (?limit=, default
// 1000; 400 when not a non-negative integer) and GET `collection`/{id} answers 200 one(id) (the
// id percent-decoded, so ids with ':' or '+' work; 400 when it does not decode; 404
// "<what> <id> not found" when one gives nullopt). Other methods 405 "use GET"; other paths 404
// "unknown simulator endpoint <path>". Bodies are JSON, errors {"error": "..."}. `list` or `one`
// may be empty when the collection has no such view; its paths then answer like other paths.
http::Response ServeInspection(
    const http::Request& request, std::string_view collection, std::string_view what,
    const std::function<nlohmann::json(size_t limit)>& list,
    const std::function<std::optional<nlohmann::json>(const std::string& id)>& one);

}  // namespace callcontrol::provider_sim
