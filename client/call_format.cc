#include "client/call_format.h"

#include "google/protobuf/util/time_util.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"

namespace callcontrol::client {
namespace {

absl::string_view Abs(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsSet(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

struct StatusName {
  v1::CallStatus status;
  std::string_view word;
};

constexpr StatusName kStatusNames[] = {
    {v1::CALL_STATUS_QUEUED, "queued"},       {v1::CALL_STATUS_INITIATED, "initiated"},
    {v1::CALL_STATUS_RINGING, "ringing"},     {v1::CALL_STATUS_IN_PROGRESS, "in_progress"},
    {v1::CALL_STATUS_COMPLETED, "completed"}, {v1::CALL_STATUS_BUSY, "busy"},
    {v1::CALL_STATUS_NO_ANSWER, "no_answer"}, {v1::CALL_STATUS_FAILED, "failed"},
    {v1::CALL_STATUS_CANCELED, "canceled"},
};

// "+14155550100 → +14155550123", with "?" for a missing number.
std::string FromTo(const v1::Call& call) {
  return absl::StrCat(call.from().empty() ? "?" : call.from(), " → ",
                      call.to().empty() ? "?" : call.to());
}

}  // namespace

std::string_view StatusWord(v1::CallStatus status) {
  for (const StatusName& n : kStatusNames) {
    if (n.status == status) {
      return n.word;
    }
  }
  return "unspecified";
}

absl::StatusOr<v1::CallStatus> ParseStatusWord(std::string_view word) {
  std::string w = absl::AsciiStrToLower(Abs(word));
  for (char& c : w) {
    if (c == '-') {
      c = '_';
    }
  }
  if (absl::StartsWith(w, "call_status_")) {
    w.erase(0, std::string_view("call_status_").size());
  }
  if (w == "cancelled") {
    w = "canceled";
  }
  for (const StatusName& n : kStatusNames) {
    if (n.word == w) {
      return n.status;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown call status \"", Abs(word),
                   "\" (expected one of queued, initiated, ringing, in_progress, completed, busy, "
                   "no_answer, failed, canceled)"));
}

std::string_view ProviderWord(v1::Provider provider) {
  // The API's enum names ("PROVIDER_X" -> "x"), computed once per value.
  static const auto* const kWords = [] {
    auto* words = new absl::flat_hash_map<int, std::string>();
    const google::protobuf::EnumDescriptor* descriptor = v1::Provider_descriptor();
    for (int i = 0; i < descriptor->value_count(); ++i) {
      const google::protobuf::EnumValueDescriptor* value = descriptor->value(i);
      std::string word = absl::AsciiStrToLower(value->name());
      if (absl::StartsWith(word, "provider_")) word.erase(0, std::string_view("provider_").size());
      words->emplace(value->number(), std::move(word));
    }
    return words;
  }();
  const auto it = kWords->find(provider);
  return it == kWords->end() ? std::string_view("unspecified") : std::string_view(it->second);
}

std::string_view DirectionWord(v1::CallDirection direction) {
  switch (direction) {
    case v1::CALL_DIRECTION_OUTBOUND:
      return "outbound";
    case v1::CALL_DIRECTION_INBOUND:
      return "inbound";
    default:
      return "unspecified";
  }
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  if (!IsSet(ts)) {
    return "-";
  }
  absl::Time t = absl::FromUnixSeconds(ts.seconds());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseRfc3339(std::string_view text) {
  absl::Time t;
  std::string err;
  // RFC3339_full requires a 'T', seconds and an offset ("Z" or "+hh:mm"); fractions optional.
  if (!absl::ParseTime(absl::RFC3339_full, Abs(text), &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad time \"", Abs(text), "\": expected RFC 3339 like 2026-03-25T09:53:19Z (", err, ")"));
  }
  return t;
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

std::string FormatDurationSeconds(int64_t seconds) {
  if (seconds < 0) {
    return absl::StrCat(seconds, "s");
  }
  if (seconds < 60) {
    return absl::StrCat(seconds, "s");
  }
  if (seconds < 3600) {
    return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
  }
  return absl::StrFormat("%dh%02dm%02ds", seconds / 3600, (seconds / 60) % 60, seconds % 60);
}

bool CallMatchesId(const v1::Call& call, std::string_view id) {
  if (id.empty()) {
    return false;
  }
  const v1::ProviderIds& p = call.provider_ids();
  return call.call_id() == id || p.call_sid() == id || p.call_control_id() == id ||
         p.call_leg_id() == id || p.call_session_id() == id;
}

std::string FormatCloneJob(const std::string& call_id, const v1::CloneJob& job) {
  std::string out;
  auto line = [&out](std::string_view label, std::string_view value) {
    absl::StrAppend(&out, absl::StrFormat("%-10s %s\n", Abs(label), Abs(value)));
  };
  line("call_id:", call_id);
  std::string state = v1::CloneState_Name(job.state());
  if (absl::StartsWith(state, "CLONE_STATE_")) state = absl::AsciiStrToLower(state.substr(12));
  line("state:", state);
  if (!job.voice_id().empty()) line("voice_id:", job.voice_id());
  if (!job.error().empty()) line("error:", job.error());
  line("attempts:", absl::StrCat(job.attempts()));
  line("created:", FormatTimestamp(job.create_time()));
  line("updated:", FormatTimestamp(job.update_time()));
  if (IsSet(job.end_time())) line("ended:", FormatTimestamp(job.end_time()));
  line("deadline:", FormatTimestamp(job.deadline()));
  return out;
}

std::string FormatMoney(const v1::Money& money) {
  const int64_t micros = money.amount_micros();
  const int64_t whole = micros / 1000000;
  const int64_t frac = (micros < 0 ? -micros : micros) % 1000000;
  std::string text = absl::StrFormat("%s%d.%06d", micros < 0 && whole == 0 ? "-" : "", whole, frac);
  // Trim trailing zeros but keep two decimals (0.042000 -> 0.042, 2.400000 -> 2.40).
  while (text.size() > 3 && text.back() == '0' && text[text.size() - 3] != '.') text.pop_back();
  return text + " " + money.currency_code();
}

std::string FormatCallLine(const v1::Call& call) {
  std::string duration =
      IsTerminal(call.status()) ? FormatDurationSeconds(call.duration_seconds()) : "-";
  return absl::StrFormat("%-37s %-11s %s  %s  %s", call.call_id(), StatusWord(call.status()),
                         FromTo(call), FormatTimestamp(call.create_time()), duration);
}

std::string FormatCallDetail(const v1::Call& call) {
  std::string out;
  auto line = [&out](std::string_view label, std::string_view value) {
    absl::StrAppend(&out, absl::StrFormat("%-16s %s\n", Abs(label), Abs(value)));
  };
  line("call_id:", call.call_id());
  if (!call.tenant_id().empty()) {
    line("tenant:", call.tenant_id());
  }
  line("provider:", ProviderWord(call.provider()));
  const v1::ProviderIds& p = call.provider_ids();
  if (!p.call_sid().empty()) {
    line("call_sid:", p.call_sid());
  }
  if (!p.call_control_id().empty()) {
    line("call_control_id:", p.call_control_id());
  }
  if (!p.call_leg_id().empty()) {
    line("call_leg_id:", p.call_leg_id());
  }
  if (!p.call_session_id().empty()) {
    line("call_session_id:", p.call_session_id());
  }
  line("direction:", DirectionWord(call.direction()));
  line("from/to:", FromTo(call));
  std::string status(StatusWord(call.status()));
  if (!call.provider_status().empty()) {
    absl::StrAppend(&status, " (provider: ", call.provider_status(), ")");
  }
  line("status:", status);
  line("created:", FormatTimestamp(call.create_time()));
  line("updated:", FormatTimestamp(call.update_time()));
  if (IsSet(call.answer_time())) {
    line("answered:", FormatTimestamp(call.answer_time()));
  }
  if (IsSet(call.end_time())) {
    line("ended:", FormatTimestamp(call.end_time()));
  }
  if (IsTerminal(call.status())) {
    line("duration:", FormatDurationSeconds(call.duration_seconds()));
  }
  if (call.sip_response_code() != 0) {
    line("sip_response:", absl::StrCat(call.sip_response_code()));
  }
  if (!call.error_message().empty()) {
    line("error:", call.error_message());
  }
  if (IsTerminal(call.status())) {
    line("billable:", FormatDurationSeconds(call.billable_seconds()));
  }
  if (call.has_cost()) {
    line("cost:", FormatMoney(call.cost()) +
                      (call.cost_reported_by_provider() ? " (provider's price)" : " (rated)"));
  }
  for (const v1::Recording& r : call.recordings()) {
    std::string text = r.url().empty() ? r.recording_id() : r.url();
    if (r.duration_seconds() > 0)
      absl::StrAppend(&text, " ", FormatDurationSeconds(r.duration_seconds()));
    if (!r.status().empty()) absl::StrAppend(&text, " (", r.status(), ")");
    line("recording:", text);
  }
  if (call.has_clone()) {
    std::string clone = v1::CloneState_Name(call.clone().state());
    if (absl::StartsWith(clone, "CLONE_STATE_")) clone = absl::AsciiStrToLower(clone.substr(12));
    if (!call.clone().voice_id().empty())
      absl::StrAppend(&clone, " voice ", call.clone().voice_id());
    if (!call.clone().error().empty()) absl::StrAppend(&clone, ": ", call.clone().error());
    line("clone:", clone);
  }
  if (call.has_hangup()) {
    std::string hangup = call.hangup().cause();
    if (!call.hangup().source().empty()) absl::StrAppend(&hangup, " by ", call.hangup().source());
    if (!call.hangup().sip_cause().empty())
      absl::StrAppend(&hangup, " (sip ", call.hangup().sip_cause(), ")");
    line("hangup:", hangup);
  }
  if (call.linked_call_ids_size() > 0) {
    line("linked legs:", absl::StrJoin(call.linked_call_ids(), ", "));
  }
  if (!call.idempotency_key().empty()) {
    line("idempotency_key:", call.idempotency_key());
  }
  line("version:", absl::StrCat(call.version()));
  return out;
}

std::string FormatEventLine(const v1::Event& event) {
  std::string name = event.name();
  if (name.empty()) {
    switch (event.type()) {
      case v1::EVENT_TYPE_CALL_CREATED:
        name = "call:created";
        break;
      case v1::EVENT_TYPE_CALL_UPDATED:
        name = "call:updated";
        break;
      case v1::EVENT_TYPE_METRICS_UPDATED:
        name = "metrics:updated";
        break;
      default:
        name = "event";
        break;
    }
  }
  std::string out = absl::StrCat("#", event.sequence(), " ", name);
  if (event.has_call()) {
    const v1::Call& call = event.call();
    absl::StrAppend(&out, " ", call.call_id(), " ", FromTo(call), " ",
                    Abs(StatusWord(call.status())));
    if (IsTerminal(call.status())) {
      absl::StrAppend(&out, " duration=", FormatDurationSeconds(call.duration_seconds()));
      if (call.sip_response_code() != 0) {
        absl::StrAppend(&out, " sip=", call.sip_response_code());
      }
      if (!call.hangup().cause().empty()) {
        absl::StrAppend(&out, " hangup_cause=", call.hangup().cause());
      }
      if (!call.error_message().empty()) {
        absl::StrAppend(&out, " error=\"", call.error_message(), "\"");
      }
    }
  } else if (event.has_metrics()) {
    const v1::Metrics& m = event.metrics();
    absl::StrAppend(&out, " active=", m.active_calls(), " total=", m.total_calls(),
                    " billable=", FormatDurationSeconds(m.billable_seconds()));
  }
  return out;
}

std::string FormatMetrics(const v1::Metrics& metrics) {
  std::string out;
  if (!metrics.tenant_id().empty()) {
    absl::StrAppend(&out, absl::StrFormat("%-18s %s\n", "tenant:", metrics.tenant_id()));
  }
  absl::StrAppend(&out, absl::StrFormat("%-18s %d\n", "active calls:", metrics.active_calls()));
  absl::StrAppend(&out, absl::StrFormat("%-18s %d\n", "total calls:", metrics.total_calls()));
  absl::StrAppend(
      &out, absl::StrFormat("%-18s %d (%s)\n", "billable seconds:", metrics.billable_seconds(),
                            FormatDurationSeconds(metrics.billable_seconds())));
  for (const v1::Money& cost : metrics.total_cost()) {
    absl::StrAppend(&out, absl::StrFormat("%-18s %s\n", "total cost:", FormatMoney(cost)));
  }
  if (metrics.completed_calls() > 0) {
    absl::StrAppend(&out, absl::StrFormat("%-18s %.1fs over %d completed calls\n",
                                          "average duration:", metrics.average_duration_seconds(),
                                          metrics.completed_calls()));
  }
  if (metrics.calls_by_status_size() > 0) {
    absl::StrAppend(&out, "by status:\n");
    for (const v1::StatusCount& c : metrics.calls_by_status()) {
      absl::StrAppend(&out, absl::StrFormat("  %-16s %d\n", StatusWord(c.status()), c.count()));
    }
  }
  return out;
}

absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print ", message.GetTypeName(), " as JSON: ", status.ToString()));
  }
  return json;
}

}  // namespace callcontrol::client
