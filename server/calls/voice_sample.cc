#include "server/calls/voice_sample.h"

namespace callcontrol::calls {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string_view Canonical(std::string_view content_type) {
  if (content_type == "audio/x-wav" || content_type == "audio/wave") return "audio/wav";
  if (content_type == "audio/mp3") return "audio/mpeg";
  return content_type;
}

}  // namespace

absl::StatusOr<std::string> DetectAudioFormat(std::string_view audio) {
  if (audio.size() >= 12 && StartsWith(audio, "RIFF") && audio.substr(8, 4) == "WAVE") {
    return std::string("audio/wav");
  }
  if (StartsWith(audio, "ID3") ||
      (audio.size() >= 2 && static_cast<unsigned char>(audio[0]) == 0xff &&
       (static_cast<unsigned char>(audio[1]) & 0xe0) == 0xe0)) {
    return std::string("audio/mpeg");
  }
  if (StartsWith(audio, "OggS")) return std::string("audio/ogg");
  if (StartsWith(audio, "fLaC")) return std::string("audio/flac");
  if (StartsWith(audio, std::string_view("\x1a\x45\xdf\xa3", 4))) return std::string("audio/webm");
  return absl::InvalidArgumentError(
      "audio is not WAV, MP3, OGG, FLAC or WebM (checked by its leading bytes)");
}

absl::StatusOr<std::string> CheckVoiceSample(std::string_view audio,
                                             std::string_view content_type) {
  if (audio.empty()) return absl::InvalidArgumentError("audio is empty");
  if (audio.size() > kMaxVoiceSampleBytes) {
    return absl::InvalidArgumentError("audio is " + std::to_string(audio.size()) +
                                      " bytes; the limit is 10 MiB");
  }
  auto detected = DetectAudioFormat(audio);
  if (!detected.ok()) return detected.status();
  if (!content_type.empty() && Canonical(content_type) != *detected) {
    return absl::InvalidArgumentError("content_type " + std::string(content_type) +
                                      " does not match the audio, which is " + *detected);
  }
  return detected;
}

}  // namespace callcontrol::calls
