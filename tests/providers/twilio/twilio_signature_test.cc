#include "providers/twilio/twilio_signature.h"

#include <string>

#include "common/http/form.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"

namespace callcontrol::twilio {
namespace {

using ::callcontrol::testing::ReadFixture;
using json = nlohmann::json;

json LoadVectors() { return json::parse(ReadFixture("signatures/twilio_signature_vectors.json")); }

http::FormParams ParamsOf(const json& params) {
  http::FormParams out;
  for (const auto& pair : params) {
    out.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  }
  return out;
}

// Cases whose url_actually_signed differs from url_as_given_to_validator by a re-encoding of the
// query (twilio-node's WHATWG "'" -> "%27"), not by the port. ValidateSignature only implements
// the port leniency, so these are checked over the URL actually signed.
bool NeedsQueryReencoding(const json& c) {
  const std::string given = c.at("url_as_given_to_validator");
  const std::string got = c.at("url_actually_signed");
  return UrlWithoutPort(given) != UrlWithoutPort(got);
}

TEST(TwilioSignatureVectorsTest, EveryFormVectorComputesAndValidates) {
  const json vectors = LoadVectors();
  ASSERT_TRUE(vectors.contains("cases"));
  int form_cases = 0;
  for (const json& c : vectors.at("cases")) {
    if (c.at("kind") != "form") continue;
    ++form_cases;
    SCOPED_TRACE(c.at("id").get<std::string>());
    const std::string token = c.at("auth_token");
    const std::string signature = c.at("expected_signature");
    const http::FormParams params = ParamsOf(c.at("params"));
    const std::string signed_url = c.at("url_actually_signed");
    EXPECT_EQ(ComputeSignature(token, signed_url, params), signature);
    EXPECT_TRUE(ValidateSignature(token, signed_url, params, signature));
    if (!NeedsQueryReencoding(c)) {
      EXPECT_TRUE(ValidateSignature(token, c.at("url_as_given_to_validator").get<std::string>(),
                                    params, signature));
    }
    EXPECT_FALSE(ValidateSignature(token + "x", signed_url, params, signature));
  }
  EXPECT_GE(form_cases, 12);
}

// JSON-body webhooks sign the URL (which carries bodySHA256) with no parameters: the same HMAC
// with an empty parameter list. The body hash itself is not part of form validation.
TEST(TwilioSignatureVectorsTest, JsonBodyVectorsSignTheUrlAlone) {
  const json vectors = LoadVectors();
  int json_cases = 0;
  for (const json& c : vectors.at("cases")) {
    if (c.at("kind") != "json") continue;
    ++json_cases;
    SCOPED_TRACE(c.at("id").get<std::string>());
    const std::string token = c.at("auth_token");
    const std::string signature = c.at("expected_signature");
    EXPECT_EQ(ComputeSignature(token, c.at("url_actually_signed").get<std::string>(), {}),
              signature);
    EXPECT_TRUE(ValidateSignature(token, c.at("url_as_given_to_validator").get<std::string>(), {},
                                  signature));
  }
  EXPECT_GE(json_cases, 3);
}

// The vectors below were derived for this test from the documented algorithm
// (https://www.twilio.com/docs/usage/security#validating-requests) with Python's standard library,
// independently of the C++ code:
//   def sig(token, url, params):
//     d = {}
//     for k, v in params: d.setdefault(k, set()).add(v)
//     s = url + "".join(k + v for k in sorted(d, key=str.encode)
//                             for v in sorted(d[k], key=str.encode))
//     return base64.b64encode(hmac.new(token.encode(), s.encode(), hashlib.sha1).digest()).decode()
constexpr char kToken[] = "7f3c2a9b1d4e5f60718293a4b5c6d7e8";
constexpr char kCallSid[] = "CA0123456789abcdef0123456789abcdef";

TEST(TwilioSignatureDerivedTest, UrlWithPortAndQueryString) {
  const std::string url =
      "https://hooks.example.com:8443/webhooks/twilio/acme/status"
      "?call_id=call_0123456789abcdef0123456789abcdef&x=1";
  const http::FormParams params = {
      {"CallSid", kCallSid}, {"CallStatus", "completed"}, {"SequenceNumber", "3"}};
  EXPECT_EQ(ComputeSignature(kToken, url, params), "vXXsUKcvFnl9Ujo+FkqWtWGvmSI=");
  EXPECT_TRUE(ValidateSignature(kToken, url, params, "vXXsUKcvFnl9Ujo+FkqWtWGvmSI="));
}

TEST(TwilioSignatureDerivedTest, ValuesWithSpacesPlusAndAmpersand) {
  const std::string url = "https://hooks.example.com/webhooks/twilio/acme/status";
  const http::FormParams params = {{"Body", "hello world + more & stuff=yes"},
                                   {"From", "+14155550100"},
                                   {"To", "+1 415 555 0199"}};
  const std::string expected = "yxPorjHTquG5yHzW+3+itcDX4OM=";
  EXPECT_EQ(ComputeSignature(kToken, url, params), expected);
  // The values are signed decoded: the same form as it arrives on the wire validates once parsed.
  auto parsed = http::ParseForm(
      "Body=hello+world+%2B+more+%26+stuff%3Dyes&From=%2B14155550100&To=%2B1%20415%20555%200199");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(ValidateSignature(kToken, url, *parsed, expected));
}

TEST(TwilioSignatureDerivedTest, RepeatedNamesAreSortedAndDeduplicated) {
  const std::string url = "https://hooks.example.com/webhooks/twilio/acme/status";
  const http::FormParams params = {
      {"StatusCallbackEvent", "ringing"},   {"StatusCallbackEvent", "initiated"},
      {"StatusCallbackEvent", "completed"}, {"StatusCallbackEvent", "ringing"},
      {"StatusCallbackEvent", "answered"},  {"CallSid", kCallSid}};
  const std::string expected = "6P0Xd96cyLxgSxT3i5I/I5M4Nwg=";
  EXPECT_EQ(ComputeSignature(kToken, url, params), expected);
  // Wire order does not matter.
  const http::FormParams reordered = {{"CallSid", kCallSid},
                                      {"StatusCallbackEvent", "answered"},
                                      {"StatusCallbackEvent", "completed"},
                                      {"StatusCallbackEvent", "initiated"},
                                      {"StatusCallbackEvent", "ringing"}};
  EXPECT_TRUE(ValidateSignature(kToken, url, reordered, expected));
}

// Same event signed over three spellings of the URL (derived as above):
//   https://hooks.example.com/webhooks/twilio/acme/status?call_id=c1 Tsn4MmaRw7gGY/1TzBvBCoVCK9A=
//   https://hooks.example.com:443/webhooks/twilio/acme/status?call_id=c1
//   7IksQiOhyGCMH9+xeaRT2uhmltM=
//   https://hooks.example.com:8443/webhooks/twilio/acme/status?call_id=c1
//   gRtxmPA/sSvY4HRj1s9SdPFNC+o= http://hooks.example.com:80/s DG+D9aD/WcExW2ET3WjrQkYdGg0=
class TwilioSignaturePortTest : public ::testing::Test {
 protected:
  const http::FormParams params_ = {{"CallStatus", "ringing"}};
  const std::string no_port_ = "https://hooks.example.com/webhooks/twilio/acme/status?call_id=c1";
  const std::string port_443_ =
      "https://hooks.example.com:443/webhooks/twilio/acme/status?call_id=c1";
  const std::string port_8443_ =
      "https://hooks.example.com:8443/webhooks/twilio/acme/status?call_id=c1";
};

TEST_F(TwilioSignaturePortTest, ComputesEachSpelling) {
  EXPECT_EQ(ComputeSignature(kToken, no_port_, params_), "Tsn4MmaRw7gGY/1TzBvBCoVCK9A=");
  EXPECT_EQ(ComputeSignature(kToken, port_443_, params_), "7IksQiOhyGCMH9+xeaRT2uhmltM=");
  EXPECT_EQ(ComputeSignature(kToken, port_8443_, params_), "gRtxmPA/sSvY4HRj1s9SdPFNC+o=");
  EXPECT_EQ(ComputeSignature(kToken, "http://hooks.example.com:80/s", params_),
            "DG+D9aD/WcExW2ET3WjrQkYdGg0=");
}

TEST_F(TwilioSignaturePortTest, SignedWithoutPortValidatesWithDefaultPort) {
  EXPECT_TRUE(ValidateSignature(kToken, port_443_, params_, "Tsn4MmaRw7gGY/1TzBvBCoVCK9A="));
}

TEST_F(TwilioSignaturePortTest, SignedWithDefaultPortValidatesWithoutPort) {
  EXPECT_TRUE(ValidateSignature(kToken, no_port_, params_, "7IksQiOhyGCMH9+xeaRT2uhmltM="));
  EXPECT_TRUE(ValidateSignature(kToken, "http://hooks.example.com/s", params_,
                                "DG+D9aD/WcExW2ET3WjrQkYdGg0="));
}

TEST_F(TwilioSignaturePortTest, SignedWithoutPortValidatesWithAnyPort) {
  // Port removal is tried whatever the port (twilio-python does the same).
  EXPECT_TRUE(ValidateSignature(kToken, port_8443_, params_, "Tsn4MmaRw7gGY/1TzBvBCoVCK9A="));
}

TEST_F(TwilioSignaturePortTest, NonDefaultPortIsNotInvented) {
  // A signature over :8443 cannot be matched from a URL without a port: only 443/80 are added.
  EXPECT_FALSE(ValidateSignature(kToken, no_port_, params_, "gRtxmPA/sSvY4HRj1s9SdPFNC+o="));
  // And a signature over :443 does not match a URL on another port.
  EXPECT_FALSE(ValidateSignature(kToken, port_8443_, params_, "7IksQiOhyGCMH9+xeaRT2uhmltM="));
}

TEST_F(TwilioSignaturePortTest, UrlHelpers) {
  EXPECT_EQ(UrlWithoutPort(port_8443_), no_port_);
  EXPECT_EQ(UrlWithoutPort(no_port_), no_port_);
  EXPECT_EQ(UrlWithDefaultPort(no_port_), port_443_);
  EXPECT_EQ(UrlWithDefaultPort(port_8443_), port_8443_);
  EXPECT_EQ(UrlWithDefaultPort("http://h/p?q=1"), "http://h:80/p?q=1");
  EXPECT_EQ(UrlWithDefaultPort("https://u:p@h?q=1"), "https://u:p@h:443?q=1");
  EXPECT_EQ(UrlWithoutPort("https://u:p@h:1/p"), "https://u:p@h/p");
}

TEST_F(TwilioSignaturePortTest, RejectsWrongToken) {
  EXPECT_FALSE(ValidateSignature("7f3c2a9b1d4e5f60718293a4b5c6d7e9", no_port_, params_,
                                 "Tsn4MmaRw7gGY/1TzBvBCoVCK9A="));
}

TEST_F(TwilioSignaturePortTest, RejectsEmptySignatureAndEmptyToken) {
  EXPECT_FALSE(ValidateSignature(kToken, no_port_, params_, ""));
  EXPECT_FALSE(ValidateSignature("", no_port_, params_, ComputeSignature("", no_port_, params_)));
}

TEST_F(TwilioSignaturePortTest, RejectsTamperedParamsAndUrl) {
  const std::string good = "Tsn4MmaRw7gGY/1TzBvBCoVCK9A=";
  EXPECT_FALSE(ValidateSignature(kToken, no_port_, {{"CallStatus", "completed"}}, good));
  EXPECT_FALSE(
      ValidateSignature(kToken, no_port_, {{"CallStatus", "ringing"}, {"Extra", ""}}, good));
  EXPECT_FALSE(ValidateSignature(kToken, no_port_, {}, good));
  EXPECT_FALSE(ValidateSignature(
      kToken, "https://hooks.example.com/webhooks/twilio/acme/status?call_id=c2", params_, good));
  EXPECT_FALSE(ValidateSignature(
      kToken, "http://hooks.example.com/webhooks/twilio/acme/status?call_id=c1", params_, good));
}

TEST_F(TwilioSignaturePortTest, RejectsTruncatedOrAlteredSignature) {
  EXPECT_FALSE(ValidateSignature(kToken, no_port_, params_, "Tsn4MmaRw7gGY/1TzBvBCoVCK9A"));
  EXPECT_FALSE(ValidateSignature(kToken, no_port_, params_, "Tsn4MmaRw7gGY/1TzBvBCoVCK9B="));
  EXPECT_FALSE(ValidateSignature(kToken, no_port_, params_, "Tsn4MmaRw7gGY/1TzBvBCoVCK9A=="));
}

TEST(TwilioSignatureDerivedTest, Utf8ValuesAreSignedAsBytes) {
  // Derived as above: sig(kToken, "https://hooks.example.com/s", [("CalledCity", "São Paulo")]).
  EXPECT_EQ(
      ComputeSignature(kToken, "https://hooks.example.com/s", {{"CalledCity", "S\xC3\xA3o Paulo"}}),
      "MnwAg1ooIy92UNghBh9ewnOm9Fw=");
}

}  // namespace
}  // namespace callcontrol::twilio
