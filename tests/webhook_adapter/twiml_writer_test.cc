// The clone flow's TwiML writer against the fixtures Twilio's own library produced (same
// elements, attributes and text), its XML declaration and its escaping.
#include "webhook_adapter/twiml/twiml_writer.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pugixml.hpp"
#include "tests/testing/fixtures.h"
#include "tests/webhook_adapter/test_support.h"

namespace callcontrol::webhook_adapter::twiml {
namespace {

using ::callcontrol::testing::ReadFixture;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Attributes the fixtures carry that the writer deliberately does not set (twilio-python's
// example chose a voice and a loop count; the defaults are the tenant's language and loop=1).
const std::set<std::string>& IgnoredAttributes() {
  static const std::set<std::string> kIgnored = {"Say@language", "Say@voice", "Play@loop"};
  return kIgnored;
}

// A canonical description of `node`'s subtree: element names, their attributes sorted by name
// (but for IgnoredAttributes) and text, one line per node, indented by depth.
void Describe(const pugi::xml_node& node, int depth, std::string* out) {
  const std::string indent(static_cast<size_t>(depth) * 2, ' ');
  if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
    *out += indent + "text \"" + node.value() + "\"\n";
    return;
  }
  if (node.type() != pugi::node_element) return;
  std::vector<std::pair<std::string, std::string>> attributes;
  for (const pugi::xml_attribute& attribute : node.attributes()) {
    const std::string key = std::string(node.name()) + "@" + attribute.name();
    if (IgnoredAttributes().count(key) == 0) {
      attributes.emplace_back(attribute.name(), attribute.value());
    }
  }
  std::sort(attributes.begin(), attributes.end());
  *out += indent + "<" + node.name();
  for (const auto& [name, value] : attributes) *out += " " + name + "=\"" + value + "\"";
  *out += ">\n";
  for (const pugi::xml_node& child : node.children()) Describe(child, depth + 1, out);
}

// The description of the document `xml` (its root elements), or a parse error.
std::string Structure(const std::string& xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_string(xml.c_str());
  if (!parsed) return std::string("parse error: ") + parsed.description();
  std::string out;
  for (const pugi::xml_node& child : doc.children()) Describe(child, 0, &out);
  return out;
}

constexpr char kGreeting[] = "Hi! Please hold for a moment while we get things ready.";
constexpr char kFailureMessage[] = "Sorry, we could not connect your call right now. Goodbye.";

TEST(TwimlWriterTest, GreetingMatchesFixture) {
  const std::string twiml =
      Greeting(kGreeting, "", "", 2,
               "https://voice.example.com/twilio/clone-status?call_id=c_123&attempt=1");
  EXPECT_THAT(twiml, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"));
  EXPECT_EQ(Structure(twiml), Structure(ReadFixture("twiml_clone_greeting_redirect.xml")));
  // The '&' of the query is escaped inside <Redirect>, as twilio-python writes it.
  EXPECT_THAT(twiml, HasSubstr("call_id=c_123&amp;attempt=1</Redirect>"));
}

TEST(TwimlWriterTest, HoldMatchesFixture) {
  const std::string twiml =
      Hold("https://voice.example.com/static/hold-music.mp3", 3,
           "https://voice.example.com/twilio/clone-status?call_id=c_123&attempt=2");
  EXPECT_EQ(Structure(twiml), Structure(ReadFixture("twiml_clone_poll_play_redirect.xml")));
}

// twilio-python writes empty elements as `<Hangup />`, pugixml's compact output as `<Hangup/>`:
// the same XML, so the documents are compared as parsed trees.
TEST(TwimlWriterTest, ConnectStreamMatchesFixture) {
  const std::string twiml =
      ConnectStream("wss://media.example.com/ws/twilio",
                    {{"call_id", "c_123"}, {"company_id", "acme"}, {"voice_id", "vc_789"}});
  EXPECT_EQ(Structure(twiml), Structure(ReadFixture("twiml_clone_connect_stream.xml")));
}

TEST(TwimlWriterTest, FailureMatchesFixture) {
  const std::string twiml = Failure(kFailureMessage);
  EXPECT_EQ(Structure(twiml), Structure(ReadFixture("twiml_clone_failure.xml")));
  EXPECT_EQ(twiml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" +
                       std::string(kFailureMessage) + "</Say><Hangup/></Response>");
}

TEST(TwimlWriterTest, FailureWithoutMessageJustHangsUp) {
  EXPECT_EQ(Failure(""),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>");
}

TEST(TwimlWriterTest, GreetingPrefersAudioAndHoldMusic) {
  const std::string twiml = Greeting(kGreeting, "https://cdn.example.com/hello.mp3",
                                     "https://cdn.example.com/hold.mp3", 3, "https://h/x");
  EXPECT_EQ(Structure(twiml),
            "<Response>\n"
            "  <Play>\n    text \"https://cdn.example.com/hello.mp3\"\n"
            "  <Play>\n    text \"https://cdn.example.com/hold.mp3\"\n"
            "  <Redirect method=\"POST\">\n    text \"https://h/x\"\n");
}

TEST(TwimlWriterTest, PauseIsAtLeastOneSecond) {
  EXPECT_THAT(Hold("", 0, "https://h/x"), HasSubstr("<Pause length=\"1\"/>"));
  EXPECT_THAT(Hold("", 7, "https://h/x"), HasSubstr("<Pause length=\"7\"/>"));
}

TEST(TwimlWriterTest, TextAndAttributesAreEscapedAndParseBack) {
  const std::string message = "Tom & Jerry say <hi> \"now\"";
  const std::string failure = Failure(message);
  EXPECT_THAT(failure, HasSubstr("<Say>Tom &amp; Jerry say &lt;hi&gt; \"now\"</Say>"));
  EXPECT_THAT(failure, ::testing::Not(HasSubstr("<hi>")));

  const std::string url = "wss://agent.example.com/s?a=1&b=\"2\"";
  const std::string value = "x\"/><Hangup/><Parameter name=\"&";
  const std::string connect = ConnectStream(url, {{"token", value}});
  EXPECT_THAT(connect, HasSubstr("url=\"wss://agent.example.com/s?a=1&amp;b=&quot;2&quot;\""));
  EXPECT_THAT(connect, ::testing::Not(HasSubstr("<Hangup")));

  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(connect.c_str()));
  const pugi::xml_node stream = doc.child("Response").child("Connect").child("Stream");
  EXPECT_EQ(std::string(stream.attribute("url").value()), url);
  EXPECT_EQ(std::string(stream.child("Parameter").attribute("value").value()), value);
  EXPECT_TRUE(stream.child("Parameter").next_sibling().empty());

  pugi::xml_document failure_doc;
  ASSERT_TRUE(failure_doc.load_string(failure.c_str()));
  EXPECT_EQ(std::string(failure_doc.child("Response").child("Say").text().get()), message);
}

}  // namespace
}  // namespace callcontrol::webhook_adapter::twiml
