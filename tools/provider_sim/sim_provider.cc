#include "tools/provider_sim/sim_provider.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace callcontrol::provider_sim {

absl::Status SimRoutes::Add(std::string path, SimHandler handler) {
  auto [it, added] = routes_.try_emplace(std::move(path), std::move(handler));
  if (!added) return absl::AlreadyExistsError(absl::StrCat("route ", it->first, " is taken"));
  return absl::OkStatus();
}

const SimHandler* SimRoutes::Find(std::string_view path) const {
  if (auto it = routes_.find(path); it != routes_.end()) return &it->second;
  const SimHandler* best = nullptr;
  size_t best_size = 0;
  for (const auto& [route, handler] : routes_) {
    if (route.empty() || route.back() != '/' || route.size() < best_size) continue;
    if (path.substr(0, route.size()) == route) {
      best = &handler;
      best_size = route.size();
    }
  }
  return best;
}

}  // namespace callcontrol::provider_sim
