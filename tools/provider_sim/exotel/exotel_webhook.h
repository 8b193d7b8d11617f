// Exotel Voice v1 status callbacks as the simulator sends them: the parameters Exotel documents
// (https://developer.exotel.com/api/statuscallback; samples:
// tests/fixtures/exotel_status_{default,terminal}.form), their form or JSON request (unsigned:
// Exotel has no webhook signature), plus Exotel's "YYYY-MM-DD HH:mm:ss" IST times and the
// simulator's INR price. ExotelEngine and the /sim/exotel/status_callbacks control use them.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "common/http/form.h"
#include "tools/provider_sim/webhook_sender.h"

namespace callcontrol::provider_sim {

// The simulated tariff: INR per started minute of conversation (completed calls only).
inline constexpr int64_t kExotelPaisePerMinute = 80;

// What one status callback says. Empty strings are sent as empty values.
struct ExotelCallbackFields {
  std::string call_sid;
  std::string date_updated;  // "YYYY-MM-DD HH:mm:ss" (FormatExotelTime)
  std::string status;        // completed | busy | no-answer | failed | in-progress | any word
  std::string recording_url;
  // "" sends only the four default parameters (no StatusCallbackEvents subscribed); otherwise
  // "terminal" or "answered" (or any word, from the control endpoint) and the extended set.
  std::string event_type;
  std::string date_created;
  std::string to;
  std::string from;
  std::string phone_number_sid;
  std::string start_time;
  std::string end_time;
  std::string conversation_duration;  // whole seconds as a decimal string
  std::string direction = "outbound-api";
  std::string custom_field;
  std::string price;  // "2.400"; "" leaves Price out (it is a simulator addition)
};

// The parameters in Exotel's order: CallSid, DateUpdated, Status, RecordingUrl, then with an
// event_type: EventType, DateCreated, To, From, PhoneNumberSid, StartTime, EndTime,
// ConversationDuration, Direction, CustomField, and Price when set.
http::FormParams ExotelCallbackParams(const ExotelCallbackFields& fields);

// The POST to `url` (query kept as given): a form body (application/x-www-form-urlencoded), or
// with `json` a JSON object of the same names and string values (application/json).
WebhookRequest BuildExotelCallbackRequest(const http::FormParams& params, const std::string& url,
                                          bool json);

// Exotel's time format in India Standard Time (+05:30): "2024-01-15 14:30:45".
std::string FormatExotelTime(absl::Time t);

// The simulator's price for a call: kExotelPaisePerMinute per started minute of
// `conversation_seconds` when `completed`, as INR with three decimals ("2.400" for 125 s);
// "0.000" otherwise.
std::string ExotelPrice(int64_t conversation_seconds, bool completed);

// Where a recorded call's recording lives: https://s3-ap-southeast-1.amazonaws.com/
// exotelrecordings/<account_sid>/<call_sid>.mp3.
std::string ExotelRecordingUrl(const std::string& account_sid, const std::string& call_sid);

}  // namespace callcontrol::provider_sim
