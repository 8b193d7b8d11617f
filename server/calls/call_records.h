// How the call domain's state is written and read: a call change as a store mutation (its row
// and its event, serialized once), metrics events, provider answers and webhook reports as
// state-machine reports, and ListCalls page tokens. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"
#include "callcontrol/v1/call_control_service.pb.h"
#include "callcontrol/v1/event.pb.h"
#include "callcontrol/v1/metrics.pb.h"
#include "providers/provider.h"
#include "server/calls/call_registry.h"
#include "server/calls/call_state_machine.h"
#include "server/store/call_store.h"

namespace callcontrol::calls {

// "call:created", "call:updated", "metrics:updated" (the SSE event names of DESIGN.md).
std::string_view EventName(v1::EventType type);

// The mutation recording `entry`'s current state as event `sequence` of `type`: the call row
// (with the provider ids not yet in the alias index) and a StreamEventsResponse holding the one
// event, the bytes streamed to subscribers. Marks the new aliases as persisted in `entry`.
store::Mutation CallChange(CallEntry* entry, v1::EventType type, int64_t sequence);

// The metrics:updated event `sequence` of `tenant_id`, created at `now`.
store::EventRow MetricsEvent(const std::string& tenant_id, const v1::Metrics& metrics,
                             int64_t sequence, absl::Time now);

// A verified webhook (ReportProviderEvent) as a report for the state machine.
ProviderReport ReportFrom(const internal::v1::ReportProviderEventRequest& request);

// A provider's answer to a dial or a hangup as a report; IsNoNews when it tells nothing.
ProviderReport ReportOf(const providers::CallUpdate& update);
bool IsNoNews(const providers::CallUpdate& update);

// True once the call's provider gave the id that names it (Provider::PrimaryId): the provider
// has confirmed the call.
bool HasProviderId(const v1::Call& call);

// ListCalls page tokens: opaque (web-safe base64 of "<create_time_us>:<call_id>") and resuming
// strictly after `last`. DecodePageToken returns false for anything EncodePageToken did not make.
std::string EncodePageToken(const v1::Call& last);
bool DecodePageToken(const std::string& token, int64_t* create_us, std::string* call_id);

}  // namespace callcontrol::calls
