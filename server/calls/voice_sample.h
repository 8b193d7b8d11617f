// Checks a caller's voice sample before it is stored for the clone flow: size limits and the
// audio format read from the file's leading bytes (its "magic"), so a mislabelled or non-audio
// upload is refused at once rather than by the voice-clone provider mid-call. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace callcontrol::calls {

// ElevenLabs accepts files up to 10 MiB for instant voice cloning.
inline constexpr size_t kMaxVoiceSampleBytes = 10 * 1024 * 1024;

// The media type of `audio` by its leading bytes: "audio/wav" (RIFF....WAVE), "audio/mpeg"
// (ID3 tag or an MPEG frame sync), "audio/ogg" (OggS), "audio/flac" (fLaC), "audio/webm" (EBML);
// kInvalidArgument for anything else.
absl::StatusOr<std::string> DetectAudioFormat(std::string_view audio);

// Validates a sample: non-empty, at most kMaxVoiceSampleBytes, a known format, and
// `content_type` ("" = take the detected one) naming that format (audio/x-wav and audio/mp3 are
// accepted aliases). Returns the media type to store, or kInvalidArgument saying what is wrong.
absl::StatusOr<std::string> CheckVoiceSample(std::string_view audio, std::string_view content_type);

}  // namespace callcontrol::calls
