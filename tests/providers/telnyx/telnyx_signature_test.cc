// telnyx-signature-ed25519 verification against the vectors in
// tests/fixtures/signatures/telnyx_signature_vectors.json (generated with the RFC 8032 §7.1
// TEST 1 key; Telnyx publishes none) and cases derived from them here.
#include "providers/telnyx/telnyx_signature.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::telnyx {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using ::callcontrol::testing::StatusIs;
using ::testing::HasSubstr;

constexpr absl::Duration kTolerance = absl::Seconds(300);

const nlohmann::json& Vectors() {
  static const nlohmann::json* vectors = new nlohmann::json(
      nlohmann::json::parse(ReadFixture("signatures/telnyx_signature_vectors.json")));
  return *vectors;
}

// One case of the vector file.
struct Vector {
  std::string public_key;
  std::string timestamp;
  std::string signature;
  std::string body;
  absl::Time signed_at;  // the timestamp as a time
};

Vector Case(const std::string& id) {
  for (const auto& c : Vectors().at("cases")) {
    if (c.at("id") != id) continue;
    Vector v;
    v.public_key = c.at("public_key_b64").get<std::string>();
    v.timestamp = c.at("headers").at("telnyx-timestamp").get<std::string>();
    v.signature = c.at("headers").at("telnyx-signature-ed25519").get<std::string>();
    v.body = c.at("raw_body").get<std::string>();
    v.signed_at = absl::FromUnixSeconds(std::stoll(v.timestamp));
    return v;
  }
  ADD_FAILURE() << "no vector " << id;
  return {};
}

// The RFC 8032 TEST 1 private key (seed) as base64.
std::string Rfc8032PrivateKey() {
  return absl::Base64Escape(absl::HexStringToBytes(
      Vectors().at("rfc8032_test1").at("secret_key_hex").get<std::string>()));
}

TEST(TelnyxSignatureTest, Rfc8032KeyLoads) {
  auto public_key = PublicKeyOf(Rfc8032PrivateKey());
  ASSERT_THAT(public_key, IsOk());
  EXPECT_EQ(*public_key, Vectors().at("rfc8032_test1").at("public_key_b64").get<std::string>());
  EXPECT_EQ(*public_key, Case("valid").public_key);
}

TEST(TelnyxSignatureTest, ValidVectorVerifies) {
  const Vector v = Case("valid");
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature, v.signed_at,
                                     kTolerance),
              IsOk());
}

TEST(TelnyxSignatureTest, SigningReproducesTheVector) {
  // Ed25519 is deterministic: the same key, timestamp and body give the vector's signature.
  const Vector v = Case("valid");
  auto signature = SignWebhook(Rfc8032PrivateKey(), v.timestamp, v.body);
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(*signature, v.signature);
}

TEST(TelnyxSignatureTest, TamperedTimestampIsRejected) {
  const Vector v = Case("timestamp_tampered");
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature, v.signed_at,
                                     kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TelnyxSignatureTest, ReserializedBodyIsRejected) {
  const Vector v = Case("body_reserialized");
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature, v.signed_at,
                                     kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TelnyxSignatureTest, TamperedBodyIsRejected) {
  const Vector v = Case("valid");
  std::string body = v.body;
  const size_t at = body.find("normal_clearing");
  ASSERT_NE(at, std::string::npos);
  body.replace(at, 15, "originator_canc");  // same length, other bytes
  const absl::Status status =
      VerifyWebhookSignature(v.public_key, v.timestamp, body, v.signature, v.signed_at, kTolerance);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(std::string(status.message()), HasSubstr("does not verify"));
  // One trailing byte is enough.
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body + "\n", v.signature,
                                     v.signed_at, kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TelnyxSignatureTest, WrongKeyIsRejected) {
  const Vector v = Case("valid");
  const KeyPair other = GenerateKeyPair();
  EXPECT_THAT(VerifyWebhookSignature(other.public_key_base64, v.timestamp, v.body, v.signature,
                                     v.signed_at, kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TelnyxSignatureTest, StaleTimestampIsRejected) {
  const Vector v = Case("stale_timestamp");
  // The Ed25519 check passes at the signing time and up to the edge of the window...
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature,
                                     v.signed_at + kTolerance, kTolerance),
              IsOk());
  // ...and fails one second past it.
  const absl::Status status = VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature,
                                                     v.signed_at + absl::Seconds(301), kTolerance);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(std::string(status.message()), HasSubstr("replay window"));
  // The vector's own statement: invalid any time after 1517610627.
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature,
                                     absl::FromUnixSeconds(1517610628), kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TelnyxSignatureTest, FutureTimestampIsRejected) {
  const Vector v = Case("valid");
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature,
                                     v.signed_at - kTolerance, kTolerance),
              IsOk());
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, v.signature,
                                     v.signed_at - absl::Seconds(301), kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TelnyxSignatureTest, MissingOrMalformedHeadersAreRejected) {
  const Vector v = Case("valid");
  EXPECT_THAT(
      VerifyWebhookSignature(v.public_key, "", v.body, v.signature, v.signed_at, kTolerance),
      StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(
      VerifyWebhookSignature(v.public_key, v.timestamp, v.body, "", v.signed_at, kTolerance),
      StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, "", v.body, "", v.signed_at, kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, "15176103x7", v.body, v.signature, v.signed_at,
                                     kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(VerifyWebhookSignature(v.public_key, v.timestamp, v.body, "not base64!", v.signed_at,
                                     kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // Base64 of 63 bytes: one short of a signature.
  EXPECT_THAT(
      VerifyWebhookSignature(v.public_key, v.timestamp, v.body,
                             absl::Base64Escape(std::string(63, 'x')), v.signed_at, kTolerance),
      StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(TelnyxSignatureTest, UnusablePublicKeyIsInvalidArgument) {
  const Vector v = Case("valid");
  for (const std::string& key :
       {std::string(""), std::string("not base64!"), absl::Base64Escape(std::string(31, 'k'))}) {
    EXPECT_THAT(
        VerifyWebhookSignature(key, v.timestamp, v.body, v.signature, v.signed_at, kTolerance),
        StatusIs(absl::StatusCode::kInvalidArgument))
        << key;
  }
}

TEST(TelnyxSignatureTest, SignVerifyRoundTrip) {
  const KeyPair pair = GenerateKeyPair();
  auto public_key = PublicKeyOf(pair.private_key_base64);
  ASSERT_THAT(public_key, IsOk());
  EXPECT_EQ(*public_key, pair.public_key_base64);
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const std::string timestamp = "1700000000";
  for (const std::string& body : {std::string("{}"), std::string(""),
                                  std::string("{\"data\":{\"event_type\":\"call.answered\"}}"),
                                  std::string("\xff\x00 binary", 9)}) {
    auto signature = SignWebhook(pair.private_key_base64, timestamp, body);
    ASSERT_THAT(signature, IsOk());
    EXPECT_THAT(VerifyWebhookSignature(pair.public_key_base64, timestamp, body, *signature, now,
                                       kTolerance),
                IsOk());
    EXPECT_THAT(VerifyWebhookSignature(pair.public_key_base64, "1700000001", body, *signature, now,
                                       kTolerance),
                StatusIs(absl::StatusCode::kUnauthenticated));
  }
  // Two key pairs differ.
  EXPECT_NE(GenerateKeyPair().public_key_base64, pair.public_key_base64);
  EXPECT_THAT(SignWebhook("short", timestamp, "{}"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PublicKeyOf("short"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace callcontrol::telnyx
