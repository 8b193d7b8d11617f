#include "server/providers/voice_clone_client.h"

#include <algorithm>
#include <random>
#include <utility>

#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "providers/provider_http.h"

namespace callcontrol::providers {
namespace {

using json = nlohmann::json;

// "callcontrol-" + 32 random alphanumerics (RFC 2046 bchars, far below the 70-character limit).
std::string RandomBoundary() {
  static constexpr char kAlnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlnum) - 2);
  std::string boundary = "callcontrol-";
  for (int i = 0; i < 32; ++i) boundary.push_back(kAlnum[pick(rng)]);
  return boundary;
}

// A quoted-string value of Content-Disposition: '"', CR and LF percent-encoded (RFC 7578 §4.2,
// what browsers send).
std::string QuoteParam(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"') {
      out += "%22";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// A string member of `object`, or "". Unlike JsonStringField, a number gives "" (a numeric
// voice_id or status is not accepted as text).
std::string StringField(const json& object, const char* name) {
  if (!object.is_object()) return "";
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// The text of an error body: {"detail": {"status", "message"}} -> "status: message",
// {"detail": "..."} -> that string, FastAPI's {"detail": [{"msg": ...}]} -> the first msg;
// anything else -> "".
std::string ErrorText(const std::string& body) {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("detail")) return "";
  const json& detail = parsed["detail"];
  if (detail.is_string()) return detail.get<std::string>();
  if (detail.is_object()) {
    const std::string status = StringField(detail, "status");
    const std::string message = StringField(detail, "message");
    if (status.empty()) return message;
    if (message.empty()) return status;
    return status + ": " + message;
  }
  if (detail.is_array() && !detail.empty()) return StringField(detail[0], "msg");
  return "";
}

absl::Status ErrorFromResponse(const http::ClientResponse& response) {
  std::string text = ErrorText(response.body);
  if (text.empty()) text = "unexpected response";
  text = "voice clone error: " + text + " (HTTP " + std::to_string(response.status) + ")";
  if (response.status >= 500 || response.status == 429) return absl::UnavailableError(text);
  return absl::FailedPreconditionError(text);
}

}  // namespace

VoiceCloneForm BuildVoiceCloneForm(const std::string& boundary, const std::string& name,
                                   const VoiceSample& sample, bool remove_background_noise) {
  const std::string dash = "--" + boundary;
  VoiceCloneForm form;
  form.content_type = "multipart/form-data; boundary=" + boundary;
  std::string& body = form.body;
  body.reserve(sample.audio.size() + name.size() + 512);
  body += dash + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n";
  if (remove_background_noise) {
    body += dash +
            "\r\nContent-Disposition: form-data; name=\"remove_background_noise\"\r\n\r\ntrue\r\n";
  }
  const std::string filename = sample.filename.empty() ? "sample" : sample.filename;
  const std::string content_type =
      sample.content_type.empty() ? "application/octet-stream" : sample.content_type;
  body += dash +
          "\r\nContent-Disposition: form-data; name=\"files\"; filename=" + QuoteParam(filename) +
          "\r\nContent-Type: " + content_type + "\r\n\r\n";
  body += sample.audio;
  body += "\r\n" + dash + "--\r\n";
  return form;
}

VoiceCloneClient::VoiceCloneClient(const Options& options) : options_(options) {}

absl::StatusOr<ClonedVoice> VoiceCloneClient::AddVoice(const std::string& api_base_url,
                                                       const std::string& api_key,
                                                       const std::string& name,
                                                       const VoiceSample& sample,
                                                       std::chrono::milliseconds timeout) const {
  if (name.empty()) return absl::InvalidArgumentError("voice clone needs a voice name");
  if (sample.audio.empty()) return absl::InvalidArgumentError("voice clone needs audio");
  if (sample.content_type.find_first_of("\r\n") != std::string::npos) {
    return absl::InvalidArgumentError("voice sample content type has a line break");
  }
  if (timeout.count() <= 0) {
    return absl::UnavailableError("voice clone not sent: no time left");
  }
  std::string boundary = RandomBoundary();
  // A boundary must not occur in the content; with 190 random bits this loop never repeats in
  // practice, but the check keeps the framing correct whatever the audio holds.
  while (sample.audio.find(boundary) != std::string::npos ||
         name.find(boundary) != std::string::npos) {
    boundary = RandomBoundary();
  }
  VoiceCloneForm form =
      BuildVoiceCloneForm(boundary, name, sample, options_.remove_background_noise);

  http::ClientRequest request;
  request.method = "POST";
  request.url = api_base_url + "/v1/voices/add";
  request.headers = {
      {"xi-api-key", api_key}, {"Content-Type", form.content_type}, {"Accept", "application/json"}};
  request.body = std::move(form.body);
  request.timeout = std::min(options_.timeout, timeout);
  request.connect_timeout = std::min(options_.connect_timeout, request.timeout);

  auto response = SendToProvider(TransportErrorWording{.unreachable = "voice clone API unreachable",
                                                       .timed_out = "voice clone",
                                                       .bad_url = "voice clone: bad API URL"},
                                 request);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return ErrorFromResponse(*response);
  const json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  ClonedVoice voice;
  voice.voice_id = StringField(parsed, "voice_id");
  if (voice.voice_id.empty()) {
    return absl::InternalError("voice clone API answered HTTP " + std::to_string(response->status) +
                               " without voice_id");
  }
  return voice;
}

}  // namespace callcontrol::providers
