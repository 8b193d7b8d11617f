// Bolna execution webhooks (what Bolna POSTs to an agent's webhook URL on every status change,
// in the shape of its Get Execution response) turned into the ReportProviderEventRequest
// webhook-adapter sends to callcontrold. Fields: https://www.bolna.ai/docs/api-reference/
// executions/get_execution; fixtures tests/fixtures/
// bolna_execution.json and bolna_webhook_sequence_observed.json. Bolna does not sign its
// webhooks: the adapter checks the tenant's webhook token before this runs.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"

namespace callcontrol::bolna {

// The currency of Bolna's `total_cost`, which its API reference gives "in cents" ("Total cost
// incurred by this execution in cents",
// https://www.bolna.ai/docs/api-reference/executions/get_batch_executions; Bolna bills in US
// dollars).
inline constexpr std::string_view kCostCurrency = "USD";

// Micros of a dollar in `cents` US cents, rounded to the nearest micro (half away from zero):
// 123 -> 1230000, 31.754 -> 317540. `cents` must be finite and non-negative.
int64_t CentsToMicros(double cents);

// The direction of a Bolna `telephony_data.call_type`: "outbound" -> OUTBOUND, "inbound" ->
// INBOUND, anything else (absent included) -> UNSPECIFIED. Case-insensitive.
v1::CallDirection ParseBolnaCallType(std::string_view call_type);

// Builds the daemon request for one webhook of `tenant_id`.
//   `call_id`: the `call_id` query parameter of the webhook URL ("" when absent).
//   `body`:    the raw JSON body.
// Mapping (a JSON null, and "" for a string, count as absent; Bolna sends nulls until the call
// ends):
//   id (required; a string of 128 characters at most, or an integer, as in one docs sample)
//     -> provider_ids.execution_id
//   status (required) -> provider_status verbatim and status via NormalizeBolnaStatus (a word
//     outside the table gives UNSPECIFIED and a warning naming the execution id and the word;
//     `call-disconnected` gives UNSPECIFIED without one)
//   telephony_data.duration (a number or a numeric string, "28" in Plivo-backed calls), else
//     conversation_duration, else conversation_time (the docs sample's name) -> duration_seconds,
//     rounded to the nearest second; -1 when none is present
//   total_cost (US cents; a number or numeric string) -> price {USD, CentsToMicros}, only when
//     status is terminal (Bolna reports fields as null or 0 until the call has ended, so an
//     earlier figure is not the call's price)
//   telephony_data.recording_url, else recording_url -> recording {url, status "completed"}
//   telephony_data.to_number, from_number -> to, from; telephony_data.call_type -> direction
//   updated_at, else created_at (RFC 3339; a time without an offset is read as UTC) ->
//     occurred_time (left unset, logged at debug, if unparsable)
//   telephony_data.hangup_reason, hangup_by -> hangup {cause, source}, when either is present
//   `call_id` -> call_id
// provider BOLNA, provider_sequence -1, sip_response_code 0.
// Returns kInvalidArgument naming the field when the body is not a JSON object, id or status is
// missing or malformed, telephony_data is not an object, a string field has another JSON type,
// or a duration or total_cost is not a non-negative number.
absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseBolnaExecution(
    std::string_view tenant_id, std::string_view call_id, std::string_view body);

}  // namespace callcontrol::bolna
