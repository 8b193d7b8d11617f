// The store as the call domain sees it (CallManager): what one change writes, what is read at
// startup, and the reads the domain makes. store::Store (SQLite) implements it; tests use an
// in-memory fake (tests/fakes/fake_call_store.h). Implementations are thread-safe; the reads are
// synchronous (call them from a worker pool, never from a gRPC thread) and Submit never blocks.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "callcontrol/v1/call.pb.h"

namespace callcontrol::store {

// A call as stored: indexed columns plus the serialized callcontrol.v1.Call.
struct CallRow {
  std::string call_id;
  std::string tenant_id;
  int status = 0;  // v1::CallStatus
  int64_t create_time_us = 0;
  int64_t update_time_us = 0;
  std::string idempotency_key;  // "" = none
  std::string request_hash;     // fingerprint of the StartCall request ("" = none)
  std::string call_sid;
  int64_t duration_seconds = 0;
  int64_t billable_seconds = 0;
  std::string currency;  // of the cost; "" = none
  int64_t cost_micros = 0;
  std::string data;      // serialized v1::Call
  std::string progress;  // serialized internal.v1.CallProgress ("" = none)
  // Provider ids to add to the alias index (CallSid, call_control_id, call_leg_id,
  // call_session_id); only ids not written before need to be listed.
  std::vector<std::string> new_aliases;
};

// One event-log entry: `data` is a serialized StreamEventsResponse holding exactly this event,
// the same bytes that are streamed to subscribers.
struct EventRow {
  int64_t sequence = 0;
  std::string tenant_id;
  std::string data;
};

// A caller's voice sample for the clone flow.
struct SampleRow {
  std::string tenant_id;
  std::string caller_number;  // E.164
  std::string content_type;
  std::string audio;
  int64_t update_time_us = 0;
};

// What one change writes: the call's new row and the events it emits, atomically (or a voice
// sample).
struct Mutation {
  std::optional<CallRow> call;
  std::vector<EventRow> events;
  std::optional<SampleRow> sample;
};

// State read at startup.
struct LoadedState {
  std::vector<v1::Call> active_calls;       // every call not in a terminal status
  std::vector<std::string> request_hashes;  // parallel to active_calls
  std::vector<std::string> progress;        // parallel to active_calls (serialized)
  int64_t last_sequence = 0;                // 0 when the log is empty
  int64_t oldest_sequence = 0;              // smallest retained sequence, 0 when empty
  struct Count {
    std::string tenant_id;
    int status = 0;
    int64_t calls = 0;
    int64_t duration_seconds = 0;
    int64_t billable_seconds = 0;
    std::string currency;  // "" = calls without a cost
    int64_t cost_micros = 0;
  };
  std::vector<Count> counts;  // per tenant, status and currency
  struct SampleSize {
    std::string tenant_id;
    std::string caller_number;
    int64_t bytes = 0;
  };
  std::vector<SampleSize> sample_sizes;  // every stored voice sample's size
};

struct ListQuery {
  std::string tenant_id;
  uint32_t status_mask = 0;  // bit (1 << status) set = wanted; 0 = any
  int64_t start_us = INT64_MIN;
  int64_t end_us = INT64_MAX;
  // Resume strictly after this (create_time_us, call_id), newest first; empty id = from the top.
  int64_t after_create_us = 0;
  std::string after_call_id;
  int limit = 50;
};

class CallStore {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~CallStore() = default;

  // Reads what the daemon keeps in memory. Call once, before any Submit.
  virtual absl::StatusOr<LoadedState> Load() = 0;

  // Queues `mutation`; `done` runs on a completion thread once it is committed (OK) or could not
  // be (kUnavailable). Mutations commit in Submit order. Never blocks on I/O.
  virtual void Submit(Mutation mutation, Done done) = 0;

  // False while the last commit failed (a full disk, an I/O error): the queued mutations are
  // retried until they commit, never dropped, and callers must refuse new changes (kUnavailable)
  // rather than queue more. True again after the next commit that succeeds. Thread-safe.
  virtual bool writable() const = 0;

  // Reads one call by callcontrol id (of any tenant: the caller checks call.tenant_id()) or by
  // a provider id (CallSid, call_control_id, call_leg_id, execution id; a call_session_id gives
  // the session's first leg) of tenant `tenant_id` only: provider ids are scoped by tenant, so
  // an id another tenant's webhooks attached to its own calls never finds this tenant's call.
  // nullopt if absent (always for a provider id when `tenant_id` is empty).
  virtual absl::StatusOr<std::optional<v1::Call>> FindCall(const std::string& tenant_id,
                                                           const std::string& id) = 0;

  // The call StartCall created for (tenant, idempotency key), with its request hash.
  virtual absl::StatusOr<std::optional<std::pair<v1::Call, std::string>>> FindByIdempotencyKey(
      const std::string& tenant_id, const std::string& key) = 0;

  // The voice sample of (tenant, caller), nullopt if none.
  virtual absl::StatusOr<std::optional<SampleRow>> ReadSample(const std::string& tenant_id,
                                                              const std::string& caller_number) = 0;

  // Calls matching `query`, newest first, at most query.limit.
  virtual absl::StatusOr<std::vector<v1::Call>> ListCalls(const ListQuery& query) = 0;
};

}  // namespace callcontrol::store
