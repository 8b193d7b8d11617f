#include "webhook_adapter/twiml/twiml_writer.h"

#include <algorithm>

#include "pugixml.hpp"

namespace callcontrol::webhook_adapter::twiml {
namespace {

// Appends pugixml's output to a string.
class StringWriter final : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string* out) : out_(out) {}
  void write(const void* data, size_t size) override {
    out_->append(static_cast<const char*>(data), size);
  }

 private:
  std::string* out_;
};

// pugixml takes NUL-terminated strings; a string_view need not be one.
std::string Str(std::string_view s) { return std::string(s); }

// A document holding the XML declaration and an empty <Response>, which it returns.
pugi::xml_node NewResponse(pugi::xml_document* doc) {
  pugi::xml_node declaration = doc->append_child(pugi::node_declaration);
  declaration.append_attribute("version").set_value("1.0");
  declaration.append_attribute("encoding").set_value("UTF-8");
  return doc->append_child("Response");
}

void AppendText(pugi::xml_node parent, const char* name, std::string_view text) {
  parent.append_child(name).append_child(pugi::node_pcdata).set_value(Str(text).c_str());
}

// <Play>hold_music_url</Play>, or <Pause length="pause_seconds"/>.
void AppendWait(pugi::xml_node response, std::string_view hold_music_url, int64_t pause_seconds) {
  if (!hold_music_url.empty()) {
    AppendText(response, "Play", hold_music_url);
    return;
  }
  response.append_child("Pause").append_attribute("length").set_value(
      static_cast<long long>(std::max<int64_t>(pause_seconds, 1)));
}

void AppendRedirect(pugi::xml_node response, std::string_view url) {
  pugi::xml_node redirect = response.append_child("Redirect");
  redirect.append_attribute("method").set_value("POST");
  redirect.append_child(pugi::node_pcdata).set_value(Str(url).c_str());
}

std::string Serialize(const pugi::xml_document& doc) {
  std::string out;
  StringWriter writer(&out);
  // format_raw: no indentation or newlines; the declaration node we added is written as is.
  doc.save(writer, "", pugi::format_raw, pugi::encoding_utf8);
  return out;
}

}  // namespace

std::string Greeting(std::string_view greeting_text, std::string_view greeting_audio_url,
                     std::string_view hold_music_url, int64_t pause_seconds,
                     std::string_view redirect_url) {
  pugi::xml_document doc;
  pugi::xml_node response = NewResponse(&doc);
  if (!greeting_audio_url.empty()) {
    AppendText(response, "Play", greeting_audio_url);
  } else if (!greeting_text.empty()) {
    AppendText(response, "Say", greeting_text);
  }
  AppendWait(response, hold_music_url, pause_seconds);
  AppendRedirect(response, redirect_url);
  return Serialize(doc);
}

std::string Hold(std::string_view hold_music_url, int64_t pause_seconds,
                 std::string_view redirect_url) {
  pugi::xml_document doc;
  pugi::xml_node response = NewResponse(&doc);
  AppendWait(response, hold_music_url, pause_seconds);
  AppendRedirect(response, redirect_url);
  return Serialize(doc);
}

std::string ConnectStream(std::string_view stream_url, const StreamParameters& parameters) {
  pugi::xml_document doc;
  pugi::xml_node stream = NewResponse(&doc).append_child("Connect").append_child("Stream");
  stream.append_attribute("url").set_value(Str(stream_url).c_str());
  for (const auto& [name, value] : parameters) {
    pugi::xml_node parameter = stream.append_child("Parameter");
    parameter.append_attribute("name").set_value(name.c_str());
    parameter.append_attribute("value").set_value(value.c_str());
  }
  return Serialize(doc);
}

std::string Failure(std::string_view message) {
  pugi::xml_document doc;
  pugi::xml_node response = NewResponse(&doc);
  if (!message.empty()) AppendText(response, "Say", message);
  response.append_child("Hangup");
  return Serialize(doc);
}

}  // namespace callcontrol::webhook_adapter::twiml
