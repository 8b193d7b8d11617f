#include "tools/provider_sim/inspection.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/http/form.h"
#include "tools/provider_sim/sim_http.h"

namespace callcontrol::provider_sim {
namespace {

constexpr size_t kDefaultListLimit = 1000;

http::Response Json(int status, const nlohmann::json& body) {
  return JsonResponse(status, body.dump());
}

// The `limit` query parameter (default kDefaultListLimit); false if it is not a number.
bool ListLimit(const http::Request& request, size_t* limit) {
  *limit = kDefaultListLimit;
  auto query = http::ParseForm(request.query);
  if (!query.ok()) return true;
  const std::string* value = http::FindParam(*query, "limit");
  return value == nullptr || absl::SimpleAtoi(*value, limit);
}

http::Response UnknownEndpoint(const http::Request& request) {
  return Json(404, {{"error", "unknown simulator endpoint " + request.path}});
}

}  // namespace

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

nlohmann::json DeliveriesJson(const std::vector<DeliveryReport>& deliveries) {
  nlohmann::json out = nlohmann::json::array();
  for (const DeliveryReport& d : deliveries) {
    out.push_back({
        {"index", d.sequence_number},
        {"status", d.call_status},
        {"attempt", d.attempt},
        {"http_status", d.http_status},
        {"error", d.error},
        {"at", Rfc3339(d.at)},
    });
  }
  return out;
}

http::Response ServeInspection(
    const http::Request& request, std::string_view collection, std::string_view what,
    const std::function<nlohmann::json(size_t limit)>& list,
    const std::function<std::optional<nlohmann::json>(const std::string& id)>& one) {
  if (request.method != "GET") return Json(405, {{"error", "use GET"}});
  if (request.path == collection) {
    if (!list) return UnknownEndpoint(request);
    size_t limit = 0;
    if (!ListLimit(request, &limit)) {
      return Json(400, {{"error", "limit must be a non-negative integer"}});
    }
    return Json(200, list(limit));
  }
  const std::string prefix = absl::StrCat(AbslView(collection), "/");
  if (!one || !absl::StartsWith(AbslView(request.path), prefix) ||
      request.path.size() == prefix.size()) {
    return UnknownEndpoint(request);
  }
  auto id = http::PercentDecode(std::string_view(request.path).substr(prefix.size()));
  if (!id.ok()) return Json(400, {{"error", "bad id: " + std::string(id.status().message())}});
  std::optional<nlohmann::json> item = one(*id);
  if (!item.has_value()) {
    return Json(404, {{"error", absl::StrCat(AbslView(what), " ", *id, " not found")}});
  }
  return Json(200, *item);
}

}  // namespace callcontrol::provider_sim
