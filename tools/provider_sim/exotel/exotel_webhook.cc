#include "tools/provider_sim/exotel/exotel_webhook.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace callcontrol::provider_sim {

http::FormParams ExotelCallbackParams(const ExotelCallbackFields& f) {
  http::FormParams params = {
      {"CallSid", f.call_sid},
      {"DateUpdated", f.date_updated},
      {"Status", f.status},
      {"RecordingUrl", f.recording_url},
  };
  if (f.event_type.empty()) return params;
  params.insert(params.end(), {
                                  {"EventType", f.event_type},
                                  {"DateCreated", f.date_created},
                                  {"To", f.to},
                                  {"From", f.from},
                                  {"PhoneNumberSid", f.phone_number_sid},
                                  {"StartTime", f.start_time},
                                  {"EndTime", f.end_time},
                                  {"ConversationDuration", f.conversation_duration},
                                  {"Direction", f.direction},
                                  {"CustomField", f.custom_field},
                              });
  if (!f.price.empty()) params.emplace_back("Price", f.price);
  return params;
}

WebhookRequest BuildExotelCallbackRequest(const http::FormParams& params, const std::string& url,
                                          bool json) {
  WebhookRequest request;
  request.method = "POST";
  request.url = url;
  if (json) {
    nlohmann::ordered_json body = nlohmann::ordered_json::object();
    for (const auto& [name, value] : params) body[name] = value;
    request.body = body.dump();
    request.headers.emplace_back("Content-Type", "application/json");
  } else {
    request.body = http::EncodeForm(params);
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  }
  request.headers.emplace_back("Accept", "*/*");
  return request;
}

std::string FormatExotelTime(absl::Time t) {
  static const absl::TimeZone kIst = absl::FixedTimeZone(5 * 3600 + 30 * 60);
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, kIst);
}

std::string ExotelPrice(int64_t conversation_seconds, bool completed) {
  if (!completed || conversation_seconds <= 0) return "0.000";
  const int64_t minutes = (conversation_seconds + 59) / 60;
  const int64_t paise = minutes * kExotelPaisePerMinute;
  // Three decimals, as INR amounts appear in Exotel's call details: 240 paise -> "2.400".
  return absl::StrFormat("%d.%02d0", paise / 100, paise % 100);
}

std::string ExotelRecordingUrl(const std::string& account_sid, const std::string& call_sid) {
  return absl::StrCat("https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/", account_sid, "/",
                      call_sid, ".mp3");
}

}  // namespace callcontrol::provider_sim
