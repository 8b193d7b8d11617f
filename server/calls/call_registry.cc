#include "server/calls/call_registry.h"

#include <algorithm>

#include "server/calls/call_status.h"

namespace callcontrol::calls {
namespace {

// The key of a per-tenant index (idempotency keys, provider ids, sessions).
std::string TenantKey(const std::string& tenant_id, const std::string& key) {
  std::string k = tenant_id;
  k.push_back('\0');
  k += key;
  return k;
}

// The provider ids that name exactly one call (a session may hold several legs).
struct NamedId {
  const char* name;
  const std::string* (*get)(const v1::ProviderIds&);
};
constexpr NamedId kCallIds[] = {
    {"CallSid", [](const v1::ProviderIds& ids) { return &ids.call_sid(); }},
    {"call_control_id", [](const v1::ProviderIds& ids) { return &ids.call_control_id(); }},
    {"call_leg_id", [](const v1::ProviderIds& ids) { return &ids.call_leg_id(); }},
    {"execution id", [](const v1::ProviderIds& ids) { return &ids.execution_id(); }},
};

}  // namespace

Counted Counted::Of(const v1::Call& call) {
  Counted c;
  c.status = call.status();
  c.duration_seconds = call.duration_seconds();
  c.billable_seconds = call.billable_seconds();
  if (call.has_cost()) {
    c.currency = call.cost().currency_code();
    c.cost_micros = call.cost().amount_micros();
  }
  return c;
}

void CallRegistry::CountEnded(Counts* c, const Counted& f, int sign) {
  if (!IsTerminal(f.status)) return;
  c->billable_seconds += sign * f.billable_seconds;
  if (!f.currency.empty()) {
    int64_t& micros = c->cost_micros[f.currency];
    micros += sign * f.cost_micros;
  }
  if (f.status == v1::CALL_STATUS_COMPLETED) {
    c->completed_duration_seconds += sign * f.duration_seconds;
  }
}

CallEntry* CallRegistry::Add(v1::Call call, std::string request_hash, bool count) {
  auto entry = std::make_unique<CallEntry>();
  entry->call = std::move(call);
  entry->request_hash = std::move(request_hash);
  CallEntry* raw = entry.get();
  const std::string id = raw->call.call_id();
  by_id_[id] = std::move(entry);
  IndexAliases(raw);
  if (!raw->call.idempotency_key().empty()) {
    by_idempotency_key_[TenantKey(raw->call.tenant_id(), raw->call.idempotency_key())] = raw;
  }
  if (IsTerminal(raw->call.status())) {
    ended_.emplace_back(FromTimestamp(raw->call.update_time()), id);
  }
  if (count) {
    Counts& c = counts_[raw->call.tenant_id()];
    c.by_status[raw->call.status()]++;
    c.total++;
    CountEnded(&c, Counted::Of(raw->call), +1);
  }
  return raw;
}

void CallRegistry::IndexAliases(CallEntry* entry) {
  const std::string& tenant = entry->call.tenant_id();
  const v1::ProviderIds& ids = entry->call.provider_ids();
  for (const NamedId& named : kCallIds) {
    const std::string* alias = named.get(ids);
    if (!alias->empty()) by_alias_.try_emplace(TenantKey(tenant, *alias), entry);
  }
  if (!ids.call_session_id().empty()) {
    auto& legs = by_session_[TenantKey(tenant, ids.call_session_id())];
    if (std::find(legs.begin(), legs.end(), entry) == legs.end()) legs.push_back(entry);
  }
}

CallEntry* CallRegistry::FindById(const std::string& call_id) {
  auto it = by_id_.find(call_id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

CallEntry* CallRegistry::Find(const std::string& tenant_id, const std::string& id) {
  if (CallEntry* entry = FindById(id)) return entry;
  if (tenant_id.empty()) return nullptr;
  const std::string key = TenantKey(tenant_id, id);
  if (auto it = by_alias_.find(key); it != by_alias_.end()) return it->second;
  if (auto it = by_session_.find(key); it != by_session_.end() && !it->second.empty()) {
    return it->second.front();
  }
  return nullptr;
}

std::vector<CallEntry*> CallRegistry::Session(const std::string& tenant_id,
                                              const std::string& session_id) {
  if (session_id.empty()) return {};
  auto it = by_session_.find(TenantKey(tenant_id, session_id));
  return it == by_session_.end() ? std::vector<CallEntry*>() : it->second;
}

absl::Status CallRegistry::CheckProviderIds(const CallEntry& entry,
                                            const v1::ProviderIds& ids) const {
  const v1::ProviderIds& own = entry.call.provider_ids();
  const std::string& tenant = entry.call.tenant_id();
  for (const NamedId& named : kCallIds) {
    const std::string& id = *named.get(ids);
    if (id.empty()) continue;
    const std::string& held = *named.get(own);
    if (!held.empty() && held != id) {
      return absl::InvalidArgumentError(std::string("the event's ") + named.name + " is not call " +
                                        entry.call.call_id() + "'s");
    }
    if (held.empty()) {
      auto it = by_alias_.find(TenantKey(tenant, id));
      if (it != by_alias_.end() && it->second != &entry) {
        return absl::InvalidArgumentError(std::string("the event's ") + named.name +
                                          " names another call, not " + entry.call.call_id());
      }
    }
  }
  if (!ids.call_session_id().empty() && !own.call_session_id().empty() &&
      ids.call_session_id() != own.call_session_id()) {
    return absl::InvalidArgumentError("the event's call_session_id is not call " +
                                      entry.call.call_id() + "'s");
  }
  return absl::OkStatus();
}

CallEntry* CallRegistry::FindByIdempotencyKey(const std::string& tenant_id,
                                              const std::string& key) {
  auto it = by_idempotency_key_.find(TenantKey(tenant_id, key));
  return it == by_idempotency_key_.end() ? nullptr : it->second;
}

bool CallRegistry::Updated(CallEntry* entry, const Counted& before, absl::Time now) {
  IndexAliases(entry);
  const v1::Call& call = entry->call;
  const Counted after = Counted::Of(call);
  if (after.status != before.status && IsTerminal(after.status) && !IsTerminal(before.status)) {
    ended_.emplace_back(now, call.call_id());
  }
  if (after == before) return false;
  Counts& c = counts_[call.tenant_id()];
  if (after.status != before.status) {
    if (--c.by_status[before.status] == 0) c.by_status.erase(before.status);
    c.by_status[after.status]++;
  }
  CountEnded(&c, before, -1);
  CountEnded(&c, after, +1);
  return true;
}

void CallRegistry::EvictExpired(absl::Time now) {
  while (!ended_.empty() && (ended_.front().first + options_.terminal_linger <= now ||
                             ended_.size() > options_.max_lingering)) {
    Remove(ended_.front().second);
    ended_.pop_front();
  }
}

void CallRegistry::Remove(const std::string& call_id) {
  auto it = by_id_.find(call_id);
  if (it == by_id_.end()) return;
  const v1::Call& call = it->second->call;
  const v1::ProviderIds& ids = call.provider_ids();
  for (const NamedId& named : kCallIds) {
    const std::string* alias = named.get(ids);
    if (alias->empty()) continue;
    auto found = by_alias_.find(TenantKey(call.tenant_id(), *alias));
    if (found != by_alias_.end() && found->second == it->second.get()) by_alias_.erase(found);
  }
  if (auto session = by_session_.find(TenantKey(call.tenant_id(), ids.call_session_id()));
      session != by_session_.end()) {
    auto& legs = session->second;
    legs.erase(std::remove(legs.begin(), legs.end(), it->second.get()), legs.end());
    if (legs.empty()) by_session_.erase(session);
  }
  if (!call.idempotency_key().empty()) {
    by_idempotency_key_.erase(TenantKey(call.tenant_id(), call.idempotency_key()));
  }
  by_id_.erase(it);
}

void CallRegistry::AddCounts(const std::string& tenant_id, v1::CallStatus status,
                             const StoredCounts& counts) {
  Counts& c = counts_[tenant_id];
  c.by_status[status] += counts.calls;
  c.total += counts.calls;
  Counted sum;
  sum.status = status;
  sum.duration_seconds = counts.duration_seconds;
  sum.billable_seconds = counts.billable_seconds;
  sum.currency = counts.currency;
  sum.cost_micros = counts.cost_micros;
  CountEnded(&c, sum, +1);
}

std::vector<std::string> CallRegistry::Tenants() const {
  std::vector<std::string> out;
  out.reserve(counts_.size());
  for (const auto& [tenant, counts] : counts_) out.push_back(tenant);
  return out;
}

v1::Metrics CallRegistry::Metrics(const std::string& tenant_id) const {
  v1::Metrics m;
  m.set_tenant_id(tenant_id);
  auto it = counts_.find(tenant_id);
  if (it == counts_.end()) return m;
  const Counts& c = it->second;
  m.set_total_calls(c.total);
  m.set_billable_seconds(c.billable_seconds);
  for (const auto& [currency, micros] : c.cost_micros) {
    v1::Money* cost = m.add_total_cost();
    cost->set_currency_code(currency);
    cost->set_amount_micros(micros);
  }
  if (auto it = c.by_status.find(v1::CALL_STATUS_COMPLETED);
      it != c.by_status.end() && it->second > 0) {
    m.set_completed_calls(it->second);
    m.set_average_duration_seconds(static_cast<double>(c.completed_duration_seconds) /
                                   static_cast<double>(it->second));
  }
  int64_t active = 0;
  for (const auto& [status, n] : c.by_status) {
    if (n == 0) continue;
    auto* sc = m.add_calls_by_status();
    sc->set_status(static_cast<v1::CallStatus>(status));
    sc->set_count(n);
    if (!IsTerminal(static_cast<v1::CallStatus>(status))) active += n;
  }
  m.set_active_calls(active);
  return m;
}

}  // namespace callcontrol::calls
