// Voice-clone REST client (ElevenLabs-shaped "instant voice cloning", `POST /v1/voices/add`)
// used by the daemon's workers to turn a caller's recorded sample into a voice id. Blocking: call
// it from a worker, never from a gRPC thread. Thread-safe: each thread keeps its own keep-alive
// connection.
//
// Errors: kUnavailable when the API cannot be reached, times out, or answers 5xx/429 (retryable);
// kFailedPrecondition when it refuses the request (other 4xx), with
// "voice clone error: <status>: <message> (HTTP <code>)" as the message; kInternal for a 2xx
// without voice_id. Nothing is retried inside the client; the API key is never logged nor put in
// a message.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"

namespace callcontrol::providers {

// One audio sample to clone a voice from.
struct VoiceSample {
  std::string audio;         // the file's bytes, e.g. a WAV or MP3 file; must not be empty
  std::string content_type;  // e.g. "audio/wav"; "" sends "application/octet-stream"
  std::string filename;      // e.g. "sample.wav"; "" sends "sample"
};

// The voice the API created.
struct ClonedVoice {
  std::string voice_id;  // e.g. "c38kUX8pkfYO2kHyqfFy"
};

// What the daemon's clone jobs need of a voice-clone API (the seam tests fake:
// tests/fakes/fake_voice_cloner.h). Blocking; thread-safe.
class VoiceCloner {
 public:
  virtual ~VoiceCloner() = default;
  // Creates a voice named `name` from `sample`, taking at most `timeout`. Errors as
  // VoiceCloneClient::AddVoice: kUnavailable is transient, any other code is final.
  virtual absl::StatusOr<ClonedVoice> AddVoice(const std::string& api_base_url,
                                               const std::string& api_key, const std::string& name,
                                               const VoiceSample& sample,
                                               std::chrono::milliseconds timeout) const = 0;
};

// Creates cloned voices. Stateless apart from its options; one instance can be shared by all
// worker threads.
class VoiceCloneClient : public VoiceCloner {
 public:
  struct Options {
    // TCP (and TLS) connect limit.
    std::chrono::milliseconds connect_timeout{3000};
    // Whole request, connect and upload included; past it the call returns kUnavailable.
    std::chrono::milliseconds timeout{20000};
    // Sends the form field remove_background_noise=true (the API's audio isolation) when set;
    // the field is left out otherwise.
    bool remove_background_noise = false;
  };
  explicit VoiceCloneClient(const Options& options);

  // POST {api_base_url}/v1/voices/add with `xi-api-key: <api_key>` and a multipart/form-data
  // body (RFC 7578, fresh random boundary) holding the text part `name`, the file part `files`
  // (sample.filename, sample.content_type, the bytes) and, per Options,
  // `remove_background_noise`. Returns the voice_id of the 2xx JSON body
  // {"voice_id": "...", "requires_verification": false}.
  // `timeout` replaces Options.timeout when shorter (the caller's remaining wait); a
  // non-positive `timeout` returns kUnavailable without sending anything.
  // Errors: kInvalidArgument for an empty name or audio, a CR/LF in the content type, or a
  // malformed api_base_url;
  // kUnavailable (unreachable, timeout, 5xx, 429); kFailedPrecondition (other 4xx, message from
  // the body's {"detail": {"status", "message"}} or {"detail": "..."}); kInternal for a 2xx
  // without voice_id.
  absl::StatusOr<ClonedVoice> AddVoice(const std::string& api_base_url, const std::string& api_key,
                                       const std::string& name, const VoiceSample& sample,
                                       std::chrono::milliseconds timeout) const override;

 private:
  const Options options_;
};

// The multipart/form-data body of an AddVoice request, exposed for the simulator and tests.
struct VoiceCloneForm {
  std::string content_type;  // "multipart/form-data; boundary=..."
  std::string body;
};

// Builds the AddVoice body with `boundary` (1-70 characters of RFC 2046 bchars, not occurring
// in the audio; the caller picks it). Quotes, CR and LF in `name`/filename are percent-encoded
// as browsers do (RFC 7578 §4.2).
VoiceCloneForm BuildVoiceCloneForm(const std::string& boundary, const std::string& name,
                                   const VoiceSample& sample, bool remove_background_noise);

}  // namespace callcontrol::providers
