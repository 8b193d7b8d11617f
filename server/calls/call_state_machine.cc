#include "server/calls/call_state_machine.h"

#include <algorithm>

#include "callcontrol/internal/v1/call_progress.pb.h"
#include "google/protobuf/util/time_util.h"
#include "server/calls/billing.h"
#include "server/calls/call_status.h"
#include "server/calls/report_limits.h"

namespace callcontrol::calls {
namespace {

bool FillIfEmpty(const std::string& value, std::string* field) {
  if (value.empty() || !field->empty()) return false;
  *field = value;
  return true;
}

// Adds `recording`, or updates the one with the same id (else URL). Returns true on a change.
bool MergeRecording(const v1::Recording& recording, v1::Call* call) {
  for (v1::Recording& existing : *call->mutable_recordings()) {
    const bool same = recording.recording_id().empty()
                          ? existing.url() == recording.url()
                          : existing.recording_id() == recording.recording_id();
    if (!same) continue;
    bool changed = FillIfEmpty(recording.url(), existing.mutable_url());
    if (!recording.status().empty() && existing.status() != recording.status()) {
      existing.set_status(recording.status());
      changed = true;
    }
    if (recording.duration_seconds() > 0 &&
        existing.duration_seconds() != recording.duration_seconds()) {
      existing.set_duration_seconds(recording.duration_seconds());
      changed = true;
    }
    return changed;
  }
  if (recording.url().empty() && recording.recording_id().empty()) return false;
  // Bounded, so signed but endless recording callbacks cannot grow one call without limit.
  if (call->recordings_size() >= static_cast<int>(kMaxRecordingsPerCall)) return false;
  *call->add_recordings() = recording;
  return true;
}

// Sets billable_seconds and (unless the provider priced the call) cost of an ended call.
bool ApplyBilling(const config::Rate* rate, v1::Call* call) {
  const Bill bill = ComputeBill(call->duration_seconds(), rate);
  bool changed = false;
  if (call->billable_seconds() != bill.billable_seconds) {
    call->set_billable_seconds(bill.billable_seconds);
    changed = true;
  }
  if (!call->cost_reported_by_provider() && bill.cost.has_value() &&
      (!call->has_cost() || call->cost().amount_micros() != bill.cost->amount_micros() ||
       call->cost().currency_code() != bill.cost->currency_code())) {
    *call->mutable_cost() = *bill.cost;
    changed = true;
  }
  return changed;
}

bool MergeProviderIds(const v1::ProviderIds& in, v1::ProviderIds* out) {
  bool changed = false;
  changed |= FillIfEmpty(in.call_sid(), out->mutable_call_sid());
  changed |= FillIfEmpty(in.call_control_id(), out->mutable_call_control_id());
  changed |= FillIfEmpty(in.call_leg_id(), out->mutable_call_leg_id());
  changed |= FillIfEmpty(in.call_session_id(), out->mutable_call_session_id());
  changed |= FillIfEmpty(in.execution_id(), out->mutable_execution_id());
  return changed;
}

}  // namespace

std::string CallProgress::Serialize() const {
  internal::v1::CallProgress p;
  p.set_last_provider_sequence(last_provider_sequence);
  p.set_duration_derived(duration_derived);
  p.set_dial_unconfirmed(dial_unconfirmed);
  p.set_hangup_requested(hangup_requested);
  for (const auto& id : applied_event_ids) p.add_applied_event_ids(id);
  return p.SerializeAsString();
}

bool CallProgress::Parse(const std::string& bytes) {
  *this = CallProgress();
  if (bytes.empty()) return true;
  internal::v1::CallProgress p;
  if (!p.ParseFromString(bytes)) return false;
  last_provider_sequence = p.last_provider_sequence();
  applied_event_ids.assign(p.applied_event_ids().begin(), p.applied_event_ids().end());
  duration_derived = p.duration_derived();
  dial_unconfirmed = p.dial_unconfirmed();
  hangup_requested = p.hangup_requested();
  return true;
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  *ts = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  using google::protobuf::util::TimeUtil;
  return ts.seconds() >= TimeUtil::kTimestampMinSeconds &&
         ts.seconds() <= TimeUtil::kTimestampMaxSeconds && ts.nanos() >= 0 &&
         ts.nanos() <= 999'999'999;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  // Seconds and nanos apart: int64 nanoseconds since 1970 only reach years 1677 to 2262.
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool ApplyReport(const ProviderReport& report, absl::Time now, v1::Call* call,
                 CallProgress* progress, const config::Rate* rate) {
  bool changed = false;
  if (!report.provider_event_id.empty() &&
      std::find(progress->applied_event_ids.begin(), progress->applied_event_ids.end(),
                report.provider_event_id) != progress->applied_event_ids.end()) {
    return false;  // a redelivery of an event already applied
  }
  const bool stale =
      report.provider_sequence >= 0 && progress->last_provider_sequence >= report.provider_sequence;
  if (report.provider_sequence > progress->last_provider_sequence) {
    progress->last_provider_sequence = report.provider_sequence;
  }
  const absl::Time when = report.occurred_time.value_or(now);

  changed |= MergeProviderIds(report.provider_ids, call->mutable_provider_ids());
  changed |= FillIfEmpty(report.from, call->mutable_from());
  changed |= FillIfEmpty(report.to, call->mutable_to());
  if (call->direction() == v1::CALL_DIRECTION_UNSPECIFIED &&
      report.direction != v1::CALL_DIRECTION_UNSPECIFIED) {
    call->set_direction(report.direction);
    changed = true;
  }

  const bool moves_forward = report.status != v1::CALL_STATUS_UNSPECIFIED && !stale &&
                             !IsTerminal(call->status()) &&
                             StatusRank(report.status) > StatusRank(call->status());
  if (moves_forward) {
    const bool answered = call->status() == v1::CALL_STATUS_IN_PROGRESS;
    call->set_status(answered && IsTerminal(report.status) ? v1::CALL_STATUS_COMPLETED
                                                           : report.status);
    call->set_provider_status(report.provider_status);
    if (report.status == v1::CALL_STATUS_IN_PROGRESS) {
      SetTimestamp(when, call->mutable_answer_time());
    }
    if (IsTerminal(report.status)) {
      SetTimestamp(when, call->mutable_end_time());
      if (!report.error_message.empty()) call->set_error_message(report.error_message);
    }
    changed = true;
  }

  // A late answer report (its callback overtaken by the final one) still tells when the call was
  // answered, if that is unknown and the provider said when.
  // Only a call that ended `completed` was ever answered.
  if (report.status == v1::CALL_STATUS_IN_PROGRESS && !call->has_answer_time() &&
      report.occurred_time.has_value() && call->status() == v1::CALL_STATUS_COMPLETED) {
    SetTimestamp(*report.occurred_time, call->mutable_answer_time());
    changed = true;
  }
  // Duration and SIP code belong to the final report; take them once the call has ended, from
  // whichever report carries them first.
  if (IsTerminal(call->status()) && IsTerminal(report.status)) {
    if (report.duration_seconds >= 0 &&
        (call->duration_seconds() == 0 || progress->duration_derived) &&
        report.duration_seconds != call->duration_seconds()) {
      call->set_duration_seconds(report.duration_seconds);
      changed = true;
    }
    if (report.duration_seconds >= 0) progress->duration_derived = false;
    if (report.sip_response_code != 0 && call->sip_response_code() == 0) {
      call->set_sip_response_code(report.sip_response_code);
      changed = true;
    }
    if (report.hangup.has_value() && !call->has_hangup()) {
      *call->mutable_hangup() = *report.hangup;
      changed = true;
    }
  }
  // No duration from the provider (some send none): talk time is answer to end, once both are
  // known.
  if (report.duration_seconds < 0 && call->duration_seconds() == 0 &&
      call->status() == v1::CALL_STATUS_COMPLETED && call->has_answer_time() &&
      call->has_end_time()) {
    // Capped: the times come from the provider, and a week is beyond every provider's limit.
    const int64_t seconds = std::min(
        kMaxCallSeconds,
        absl::ToInt64Seconds(FromTimestamp(call->end_time()) - FromTimestamp(call->answer_time())));
    if (seconds > 0) {
      call->set_duration_seconds(seconds);
      progress->duration_derived = true;
      changed = true;
    }
  }

  if (report.recording.has_value()) changed |= MergeRecording(*report.recording, call);
  if (report.price.has_value() && (!call->cost_reported_by_provider() ||
                                   call->cost().amount_micros() != report.price->amount_micros() ||
                                   call->cost().currency_code() != report.price->currency_code())) {
    *call->mutable_cost() = *report.price;
    call->set_cost_reported_by_provider(true);
    changed = true;
  }
  if (IsTerminal(call->status())) changed |= ApplyBilling(rate, call);

  if (changed && !report.provider_event_id.empty()) {
    progress->applied_event_ids.push_back(report.provider_event_id);
    if (progress->applied_event_ids.size() > CallProgress::kMaxEventIds) {
      progress->applied_event_ids.erase(progress->applied_event_ids.begin());
    }
  }
  if (changed) {
    call->set_version(call->version() + 1);
    SetTimestamp(now, call->mutable_update_time());
  }
  return changed;
}

}  // namespace callcontrol::calls
