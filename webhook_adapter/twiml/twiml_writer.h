// TwiML documents of the voice-clone pre-call flow (greeting, hold, agent stream, failure),
// written with a real XML writer (pugixml): every text and attribute value is escaped by it, so a
// configured message or URL can never break out of its element.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callcontrol::webhook_adapter::twiml {

// The XML declaration every document starts with.
inline constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

// <Stream> custom parameters (<Parameter name=... value=.../>), in the order given.
using StreamParameters = std::vector<std::pair<std::string, std::string>>;

// What the caller first hears, then the wait, then the first clone-status poll:
//   <Response>
//     <Play>greeting_audio_url</Play>   (if greeting_audio_url is set)
//     or <Say>greeting_text</Say>       (else, if greeting_text is set; nothing if both are "")
//     <Play>hold_music_url</Play>       (if hold_music_url is set)
//     or <Pause length="pause_seconds"/> (else; pause_seconds below 1 count as 1)
//     <Redirect method="POST">redirect_url</Redirect>
//   </Response>
std::string Greeting(std::string_view greeting_text, std::string_view greeting_audio_url,
                     std::string_view hold_music_url, int64_t pause_seconds,
                     std::string_view redirect_url);

// One more wait before the next clone-status poll: the hold music or pause of Greeting, then
// <Redirect method="POST">redirect_url</Redirect>.
std::string Hold(std::string_view hold_music_url, int64_t pause_seconds,
                 std::string_view redirect_url);

// Connects the call to the agent's media stream:
//   <Response><Connect><Stream url="stream_url">
//     <Parameter name="..." value="..."/>...   (one per entry of `parameters`, in order)
//   </Stream></Connect></Response>
// The parameters reach the stream's `start` message; never put a configured secret in them.
std::string ConnectStream(std::string_view stream_url, const StreamParameters& parameters);

// Ends the call politely: <Response><Say>message</Say><Hangup/></Response> (no <Say> when
// `message` is "").
std::string Failure(std::string_view message);

}  // namespace callcontrol::webhook_adapter::twiml
