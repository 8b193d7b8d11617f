#include "server/calls/call_records.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "providers/registry.h"
#include "server/calls/call_ids.h"

namespace callcontrol::calls {
namespace {

// Provider ids present in `now` but not in `before` (the alias index only grows).
std::vector<std::string> NewAliases(const v1::ProviderIds& before, const v1::ProviderIds& now) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& was, const std::string& is) {
    if (!is.empty() && was != is) out.push_back(is);
  };
  add(before.call_sid(), now.call_sid());
  add(before.call_control_id(), now.call_control_id());
  add(before.call_leg_id(), now.call_leg_id());
  add(before.call_session_id(), now.call_session_id());
  add(before.execution_id(), now.execution_id());
  return out;
}

std::string EventBytes(v1::Event event) {
  v1::StreamEventsResponse wire;
  *wire.add_events() = std::move(event);
  return wire.SerializeAsString();
}

}  // namespace

std::string_view EventName(v1::EventType type) {
  switch (type) {
    case v1::EVENT_TYPE_CALL_CREATED:
      return "call:created";
    case v1::EVENT_TYPE_CALL_UPDATED:
      return "call:updated";
    case v1::EVENT_TYPE_METRICS_UPDATED:
      return "metrics:updated";
    default:
      return "unspecified";
  }
}

store::Mutation CallChange(CallEntry* entry, v1::EventType type, int64_t sequence) {
  const v1::Call& call = entry->call;
  store::Mutation mutation;
  store::CallRow& row = mutation.call.emplace();
  row.call_id = call.call_id();
  row.tenant_id = call.tenant_id();
  row.status = call.status();
  row.create_time_us = absl::ToUnixMicros(FromTimestamp(call.create_time()));
  row.update_time_us = absl::ToUnixMicros(FromTimestamp(call.update_time()));
  row.idempotency_key = call.idempotency_key();
  row.request_hash = entry->request_hash;
  row.call_sid = call.provider_ids().call_sid();
  row.duration_seconds = call.duration_seconds();
  row.billable_seconds = call.billable_seconds();
  if (call.has_cost()) {
    row.currency = call.cost().currency_code();
    row.cost_micros = call.cost().amount_micros();
  }
  call.SerializeToString(&row.data);
  row.progress = entry->progress.Serialize();
  row.new_aliases = NewAliases(entry->persisted_ids, call.provider_ids());
  if (!row.new_aliases.empty()) entry->persisted_ids = call.provider_ids();

  v1::Event event;
  event.set_sequence(sequence);
  event.set_type(type);
  event.set_name(std::string(EventName(type)));
  *event.mutable_create_time() = call.update_time();
  event.set_tenant_id(call.tenant_id());
  *event.mutable_call() = call;
  mutation.events.push_back(store::EventRow{sequence, call.tenant_id(), EventBytes(event)});
  return mutation;
}

store::EventRow MetricsEvent(const std::string& tenant_id, const v1::Metrics& metrics,
                             int64_t sequence, absl::Time now) {
  v1::Event event;
  event.set_sequence(sequence);
  event.set_type(v1::EVENT_TYPE_METRICS_UPDATED);
  event.set_name(std::string(EventName(v1::EVENT_TYPE_METRICS_UPDATED)));
  SetTimestamp(now, event.mutable_create_time());
  event.set_tenant_id(tenant_id);
  *event.mutable_metrics() = metrics;
  return store::EventRow{sequence, tenant_id, EventBytes(std::move(event))};
}

ProviderReport ReportFrom(const internal::v1::ReportProviderEventRequest& r) {
  ProviderReport report;
  report.status = r.status();
  report.provider_status = r.provider_status();
  report.provider_sequence = r.provider_sequence();
  if (r.has_occurred_time()) report.occurred_time = FromTimestamp(r.occurred_time());
  report.duration_seconds = r.duration_seconds();
  report.sip_response_code = r.sip_response_code();
  report.provider_ids = r.provider_ids();
  report.direction = r.direction();
  report.from = r.from();
  report.to = r.to();
  report.provider_event_id = r.provider_event_id();
  if (r.has_hangup()) report.hangup = r.hangup();
  if (r.has_recording()) report.recording = r.recording();
  if (r.has_price()) report.price = r.price();
  return report;
}

ProviderReport ReportOf(const providers::CallUpdate& update) {
  ProviderReport report;
  report.provider_ids = update.provider_ids;
  report.status = update.status;
  report.provider_status = update.provider_status;
  report.duration_seconds = update.duration_seconds;
  return report;
}

bool IsNoNews(const providers::CallUpdate& update) {
  return update.status == v1::CALL_STATUS_UNSPECIFIED && update.provider_status.empty() &&
         update.duration_seconds < 0 && update.provider_ids.ByteSizeLong() == 0;
}

std::string EncodePageToken(const v1::Call& last) {
  const int64_t us = absl::ToUnixMicros(FromTimestamp(last.create_time()));
  return absl::WebSafeBase64Escape(std::to_string(us) + ":" + last.call_id());
}

bool DecodePageToken(const std::string& token, int64_t* create_us, std::string* call_id) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return false;
  const size_t colon = raw.find(':');
  if (colon == std::string::npos) return false;
  *call_id = raw.substr(colon + 1);
  return absl::SimpleAtoi(raw.substr(0, colon), create_us) && IsCallId(*call_id);
}

bool HasProviderId(const v1::Call& call) {
  const providers::Provider* provider = providers::FindProvider(call.provider());
  return provider != nullptr && !provider->PrimaryId(call.provider_ids()).empty();
}

}  // namespace callcontrol::calls
