// Exotel status callbacks (what Exotel POSTs to a call's StatusCallback URL) turned into the
// ReportProviderEventRequest webhook-adapter sends to callcontrold. Field names and meanings:
// https://developer.exotel.com/api/statuscallback; fixtures
// tests/fixtures/exotel_status_{default,terminal}.form and exotel_status_terminal.json. Exotel
// does not sign its callbacks: the adapter checks the tenant's webhook token before this runs.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"
#include "common/http/form.h"

namespace callcontrol::exotel {

// The currency of Exotel's `Price` when the callback names none (Exotel India bills in rupees).
inline constexpr std::string_view kDefaultCurrency = "INR";

// Exotel's documents give its callbacks as JSON, while the POST may be form-encoded (research
// could not confirm which): both are accepted and reduced to the same name/value pairs. Turns a
// JSON object body into them: a string stays as is, a number becomes its decimal text (an integer
// exactly, a fraction as its shortest round-trip text, e.g. 1.5 -> "1.5"), true/false become
// "true"/"false"; null, arrays and objects (e.g. `Legs`) are left out. Returns kInvalidArgument
// when the body is not a JSON object.
absl::StatusOr<http::FormParams> ExotelFieldsFromJson(std::string_view body);

// Parses an Exotel timestamp, "YYYY-MM-DD HH:mm:ss" (e.g. "2024-01-15 14:30:44"). Exotel gives
// no zone: the times are the account's local time, which for Exotel India accounts (the only
// ones api.exotel.com / api.in.exotel.com serve) is IST, UTC+05:30, with no daylight saving; so
// "2024-01-15 14:30:44" is 2024-01-15T09:00:44Z. Returns kInvalidArgument for any other shape.
absl::StatusOr<absl::Time> ParseExotelTime(std::string_view text);

// Parses a non-negative decimal amount ("1.500", "0.0135", "2", ".5") into millionths of the
// unit, with integer arithmetic only: "1.500" -> 1500000, "0.0135" -> 13500. Digits past the
// sixth decimal are rounded half up ("0.0000005" -> 1). Returns kInvalidArgument for anything
// else (a sign, an exponent, spaces, no digit, more than 12 integer digits).
absl::StatusOr<int64_t> ParseDecimalMicros(std::string_view decimal);

// The direction of an Exotel `Direction`: "inbound" -> INBOUND; "outbound-dial" and
// "outbound-api" -> OUTBOUND; anything else (absent included) -> UNSPECIFIED. Case-insensitive.
v1::CallDirection ParseExotelDirection(std::string_view direction);

// Builds the daemon request for one status callback of `tenant_id`.
//   `call_id`: the `call_id` query parameter of the callback URL ("" when absent).
//   `fields`:  the decoded form body, or ExotelFieldsFromJson of a JSON body.
// Mapping (a field sent empty counts as absent):
//   CallSid (required; letters, digits, '-' and '_', 64 at most) -> provider_ids.call_sid
//   Status (required) -> provider_status verbatim and status via NormalizeExotelStatus (an
//     unknown word gives CALL_STATUS_UNSPECIFIED and a warning naming call_sid and the word; the
//     request is still built)
//   ConversationDuration, else DialCallDuration, else Duration -> duration_seconds, whole seconds
//     (a fraction is rounded to the nearest second); -1 when none is present
//   RecordingUrl -> recording {url, status "completed"} (Exotel gives no recording id)
//   EventType "terminal": EndTime, else DateUpdated -> occurred_time; otherwise (EventType
//     "answered" or absent, as in the default callback) DateUpdated -> occurred_time; both read
//     with ParseExotelTime (IST) and left unset, logged at debug, when unparsable
//   Price -> price {currency, ParseDecimalMicros(Price)}; currency from `Currency`, else
//     `PriceUnit` (3 letters, upper-cased), else kDefaultCurrency
//   From, To; Direction via ParseExotelDirection
//   CustomField -> call_id when it is a callcontrol call id ("call_" then letters, digits, '_'
//     or '-', 64 characters at most: the daemon sets CustomField to its call id), else `call_id`
// provider EXOTEL, provider_sequence -1, sip_response_code 0.
// Returns kInvalidArgument naming the field when CallSid or Status is missing or malformed, a
// duration is not a non-negative number, Price is not a non-negative decimal or the currency is
// not three letters.
absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseExotelStatusCallback(
    std::string_view tenant_id, std::string_view call_id, const http::FormParams& fields);

}  // namespace callcontrol::exotel
