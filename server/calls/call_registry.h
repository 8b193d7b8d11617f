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
};

class CallRegistry {
 public:
  struct Options {
    // How long an ended call stays in memory, and how many ended calls at most.
    absl::Duration terminal_linger = absl::Minutes(10);
    size_t max_lingering = 100000;
  };
  explicit CallRegistry(const Options& options) : options_(options) {}

  // Adds a call (new, or loaded at startup) and counts it. Returns the entry.
  CallEntry* Add(v1::Call call, std::string request_hash);

  // Finds a call by callcontrol id or provider id (CallSid, call_control_id, call_leg_id; a
  // call_session_id finds the session's first leg). nullptr if not in memory.
  CallEntry* Find(const std::string& id);
  // The legs in memory that share `session_id`, oldest first (empty for "").
  std::vector<CallEntry*> Session(const std::string& session_id);
  CallEntry* FindByIdempotencyKey(const std::string& tenant_id, const std::string& key);

  // Re-indexes `entry` after a change: new provider ids, counters moved from `before` status and
  // duration, and the ended-call clock started when it became terminal.
  void Updated(CallEntry* entry, v1::CallStatus before, int64_t duration_before, absl::Time now);

  // Drops ended calls older than the linger time (or beyond the cap).
  void EvictExpired(absl::Time now);

  // Adds counts loaded from the store (calls not in memory).
  void AddCounts(const std::string& tenant_id, v1::CallStatus status, int64_t calls,
                 int64_t duration_seconds);

  v1::Metrics Metrics(const std::string& tenant_id) const;
  size_t size() const { return by_id_.size(); }

 private:
  struct Counts {
    std::map<int, int64_t> by_status;
    int64_t total = 0;
    int64_t billable_seconds = 0;
  };
  void IndexAliases(CallEntry* entry);
  void Remove(const std::string& call_id);

  const Options options_;
  absl::flat_hash_map<std::string, std::unique_ptr<CallEntry>> by_id_;
  absl::flat_hash_map<std::string, CallEntry*> by_alias_;
  absl::flat_hash_map<std::string, std::vector<CallEntry*>> by_session_;
  absl::flat_hash_map<std::string, CallEntry*> by_idempotency_key_;  // tenant + '\0' + key
  std::deque<std::pair<absl::Time, std::string>> ended_;             // oldest first
  absl::flat_hash_map<std::string, Counts> counts_;
};

}  // namespace callcontrol::calls
