// In-memory index of the calls the daemon must answer for without touching the disk: every call
// not yet in a terminal status, plus recently ended ones (kept a while to absorb late webhooks
// cheaply). History lives only in the store, so restart cost does not grow with it. Also keeps
// each tenant's counters for GetMetrics. Not thread-safe: CallManager holds its lock around every
// call.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "callcontrol/v1/call.pb.h"
#include "callcontrol/v1/metrics.pb.h"
#include "server/calls/call_state_machine.h"

namespace callcontrol::calls {

struct CallEntry {
  v1::Call call;
  CallProgress progress;
  std::string request_hash;  // StartCall fingerprint, for idempotency-key reuse checks
  // The provider ids last written to the store's alias index (only new ones are written again).
  v1::ProviderIds persisted_ids;
  // Event sequence of the entry's last change (set by CallManager::CommitLocked); a read shows
  // the entry only once this sequence is durable. 0 for an entry loaded at startup or read back
  // from the store, which is durable already.
  int64_t last_sequence = 0;
};

// The figures of one call that the tenant's metrics count; compare before and after a change.
struct Counted {
  v1::CallStatus status = v1::CALL_STATUS_UNSPECIFIED;
  int64_t duration_seconds = 0;
  int64_t billable_seconds = 0;
  std::string currency;  // "" = no cost
  int64_t cost_micros = 0;

  static Counted Of(const v1::Call& call);
  bool operator==(const Counted& o) const {
    return status == o.status && duration_seconds == o.duration_seconds &&
           billable_seconds == o.billable_seconds && currency == o.currency &&
           cost_micros == o.cost_micros;
  }
  bool operator!=(const Counted& o) const { return !(*this == o); }
};

class CallRegistry {
 public:
  struct Options {
    // How long an ended call stays in memory, and how many ended calls at most.
    absl::Duration terminal_linger = absl::Minutes(10);
    size_t max_lingering = 100000;
  };
  explicit CallRegistry(const Options& options) : options_(options) {}

  // Adds a call (new, or loaded at startup) and counts it in its tenant's metrics, unless
  // `count` is false (an ended call read back from the store, already in the loaded counts).
  // Returns the entry.
  CallEntry* Add(v1::Call call, std::string request_hash, bool count = true);

  // Finds a call by callcontrol id (of any tenant: the caller checks the call's tenant) or by a
  // provider id of tenant `tenant_id` (CallSid, call_control_id, call_leg_id, execution id; a
  // call_session_id finds the session's first leg). Provider ids are indexed per tenant, so
  // one tenant's webhooks can never make another tenant's id find their call. nullptr if not
  // in memory.
  CallEntry* Find(const std::string& tenant_id, const std::string& id);
  // Finds a call by callcontrol id only.
  CallEntry* FindById(const std::string& call_id);
  // The legs in memory of tenant `tenant_id` that share `session_id`, oldest first (empty for
  // "").
  std::vector<CallEntry*> Session(const std::string& tenant_id, const std::string& session_id);

  // Checks that the provider ids `ids` (of a report or a provider answer about `entry`'s call)
  // can belong to that call: each id the call already has (CallSid, call_control_id,
  // call_leg_id, execution id, call_session_id) is the same, and no other call of the tenant
  // holds one of the others. Returns kInvalidArgument naming the id otherwise (a report signed
  // for one call must not move another).
  absl::Status CheckProviderIds(const CallEntry& entry, const v1::ProviderIds& ids) const;
  CallEntry* FindByIdempotencyKey(const std::string& tenant_id, const std::string& key);

  // Re-indexes `entry` after a change: new provider ids, counters moved from `before`, and the
  // ended-call clock started when it became terminal. Returns true when the tenant's metrics
  // moved.
  bool Updated(CallEntry* entry, const Counted& before, absl::Time now);

  // Drops ended calls older than the linger time (or beyond the cap).
  void EvictExpired(absl::Time now);

  // Adds figures loaded from the store for ended calls not in memory.
  struct StoredCounts {
    int64_t calls = 0;
    int64_t duration_seconds = 0;
    int64_t billable_seconds = 0;
    std::string currency;  // "" = no cost
    int64_t cost_micros = 0;
  };
  void AddCounts(const std::string& tenant_id, v1::CallStatus status, const StoredCounts& counts);

  // Tenants with at least one call counted.
  std::vector<std::string> Tenants() const;

  v1::Metrics Metrics(const std::string& tenant_id) const;
  // Calls `fn` for every call in memory.
  template <typename Fn>
  void ForEach(Fn fn) {
    for (auto& [id, entry] : by_id_) fn(entry.get());
  }
  size_t size() const { return by_id_.size(); }

 private:
  struct Counts {
    std::map<int, int64_t> by_status;
    int64_t total = 0;
    int64_t billable_seconds = 0;
    std::map<std::string, int64_t> cost_micros;  // by currency
    int64_t completed_duration_seconds = 0;      // over calls ended COMPLETED
  };
  // Adds (sign +1) or removes (-1) an ended call's figures.
  static void CountEnded(Counts* c, const Counted& figures, int sign);
  void IndexAliases(CallEntry* entry);
  void Remove(const std::string& call_id);

  const Options options_;
  absl::flat_hash_map<std::string, std::unique_ptr<CallEntry>> by_id_;
  // Keyed by tenant + '\0' + provider id.
  absl::flat_hash_map<std::string, CallEntry*> by_alias_;
  absl::flat_hash_map<std::string, std::vector<CallEntry*>> by_session_;
  absl::flat_hash_map<std::string, CallEntry*> by_idempotency_key_;  // tenant + '\0' + key
  std::deque<std::pair<absl::Time, std::string>> ended_;             // oldest first
  absl::flat_hash_map<std::string, Counts> counts_;
};

}  // namespace callcontrol::calls
