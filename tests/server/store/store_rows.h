// Rows for the store's tests: a call, the mutation that stores it with one event, and a
// synchronous Submit.
#pragma once

#include <future>
#include <string>

#include "callcontrol/v1/call_control_service.pb.h"
#include "server/calls/call_state_machine.h"
#include "server/store/store.h"

namespace callcontrol::store {

inline v1::Call MakeCall(int i, v1::CallStatus status, int64_t create_us) {
  v1::Call c;
  c.set_call_id("call_" + std::string(20, '0') + std::to_string(100000000000 + i));
  c.set_tenant_id("acme");
  c.set_status(status);
  c.mutable_provider_ids()->set_call_sid("CA" + std::to_string(1000 + i));
  calls::SetTimestamp(absl::FromUnixMicros(create_us), c.mutable_create_time());
  return c;
}

inline Mutation MutationFor(const v1::Call& c, int64_t sequence, const std::string& key = "") {
  Mutation m;
  CallRow& row = m.call.emplace();
  row.call_id = c.call_id();
  row.tenant_id = c.tenant_id();
  row.status = c.status();
  row.create_time_us = absl::ToUnixMicros(calls::FromTimestamp(c.create_time()));
  row.update_time_us = row.create_time_us;
  row.idempotency_key = key;
  row.request_hash = key.empty() ? "" : "hash-" + key;
  row.call_sid = c.provider_ids().call_sid();
  row.new_aliases = {row.call_sid};
  row.duration_seconds = c.duration_seconds();
  c.SerializeToString(&row.data);
  v1::StreamEventsResponse wire;
  wire.add_events()->set_sequence(sequence);
  m.events.push_back(EventRow{sequence, c.tenant_id(), wire.SerializeAsString()});
  return m;
}

inline absl::Status SubmitAndWait(Store& store, Mutation m) {
  std::promise<absl::Status> done;
  store.Submit(std::move(m), [&done](absl::Status s) { done.set_value(s); });
  return done.get_future().get();
}

}  // namespace callcontrol::store
