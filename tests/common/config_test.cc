// The shared JSON configuration: required keys, secrets from the environment, tenants' API keys
// (hashes only) and provider blocks, and the errors that name what is wrong.
#include "common/config/config.h"
#include "providers/registry.h"
#include "providers/telnyx/telnyx_account.h"
#include "providers/twilio/twilio_account.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/testing/status_matchers.h"

namespace callcontrol::config {
namespace {

using ::testing::HasSubstr;

std::string TwilioTenant(const std::string& id, const std::string& key) {
  return R"({"id": ")" + id + R"(", "api_keys": [")" + HashApiKey(key) + R"("],
             "twilio": {"account_sid": "AC00000000000000000000000000000001",
                        "auth_token": "${CC_TEST_TOKEN}"}})";
}

std::string Document(const std::string& tenants) {
  return R"({"daemon": {"internal_api_key": "internal"}, "tenants": [)" + tenants + "]}";
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("CC_TEST_TOKEN", "token-from-env", 1); }
  void TearDown() override { unsetenv("CC_TEST_TOKEN"); }
};

TEST_F(ConfigTest, ParsesTenantsWithSecretsFromTheEnvironment) {
  auto config = providers::ParseConfig(
      Document(TwilioTenant("acme", "k1") + "," + TwilioTenant("beta", "k2")));
  ASSERT_THAT(config, testing::IsOk());
  ASSERT_EQ(config->tenants.size(), 2u);
  EXPECT_EQ(twilio::AccountOf(config->tenants[0])->auth_token, "token-from-env");
  EXPECT_EQ(twilio::AccountOf(config->tenants[0])->api_base_url, "https://api.twilio.com");
  EXPECT_EQ(config->daemon.internal_api_key, "internal");
}

TEST_F(ConfigTest, AnApiKeyFindsItsTenantOnly) {
  auto config = providers::ParseConfig(
      Document(TwilioTenant("acme", "k1") + "," + TwilioTenant("beta", "k2")));
  ASSERT_THAT(config, testing::IsOk());
  ASSERT_NE(config->FindTenantByApiKey("k1"), nullptr);
  EXPECT_EQ(config->FindTenantByApiKey("k1")->id, "acme");
  EXPECT_EQ(config->FindTenantByApiKey("k2")->id, "beta");
  EXPECT_EQ(config->FindTenantByApiKey("k3"), nullptr);
  EXPECT_EQ(config->FindTenantByApiKey(""), nullptr);
  EXPECT_EQ(config->FindTenantByApiKey(HashApiKey("k1")), nullptr);  // the hash is not a key
}

TEST_F(ConfigTest, HashesKeysAsSha256Hex) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(HashApiKey("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(ConfigTest, RejectsWhatIsMissingOrWrongNamingTheKey) {
  const std::string tenant = TwilioTenant("acme", "k1");
  struct Case {
    std::string document;
    std::string message;
  };
  const Case cases[] = {
      {R"({"tenants": [)" + tenant + "]}", "daemon.internal_api_key"},
      {Document(R"({"id": "acme", "twilio": {"account_sid": "AC00000000000000000000000000000001",
                  "auth_token": "x"}})"),
       "tenants[0].api_keys"},
      {Document(R"({"id": "acme", "api_keys": ["k1"], "twilio": {}})"), "tenants[0].api_keys[0]"},
      {Document(tenant + "," + TwilioTenant("beta", "k1")), "listed twice"},
      {Document(R"({"id": "acme", "provider": "telnyx", "api_keys": [")" + HashApiKey("k") +
                R"("]})"),
       "tenants[0].telnyx"},
      {Document(
           R"({"id": "acme", "provider": "telnyx", "api_keys": [")" + HashApiKey("k") +
           R"("], "telnyx": {"api_key": "KEY", "connection_id": "1", "public_key": "c2hvcnQ="}})"),
       "tenants[0].telnyx.public_key"},
      {Document(R"({"id": "acme", "provider": "sip", "api_keys": [")" + HashApiKey("k") + R"("]})"),
       "tenants[0].provider"},
      {R"({"daemon": {"internal_api_key": "i", "colour": 1}, "tenants": [)" + tenant + "]}",
       "daemon.colour"},
      {Document(R"({"id": "acme", "api_keys": [")" + HashApiKey("k") +
                R"("], "twilio": {"account_sid": "AC00000000000000000000000000000001",
                  "auth_token": "${CC_TEST_UNSET_VARIABLE}"}})"),
       "CC_TEST_UNSET_VARIABLE"},
  };
  for (const Case& c : cases) {
    auto config = providers::ParseConfig(c.document);
    EXPECT_THAT(config, testing::StatusIs(absl::StatusCode::kInvalidArgument)) << c.message;
    if (!config.ok()) EXPECT_THAT(std::string(config.status().message()), HasSubstr(c.message));
  }
}

TEST_F(ConfigTest, ATenantMayCarryBothProvidersBlocks) {
  auto config = providers::ParseConfig(Document(
      R"({"id": "both", "provider": "telnyx", "api_keys": [")" + HashApiKey("k") +
      R"("], "twilio": {"account_sid": "AC00000000000000000000000000000001", "auth_token": "t"},
          "telnyx": {"api_key": "KEY", "connection_id": "1",
                     "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                     "api_base_url": "http://127.0.0.1:9/"}})"));
  ASSERT_THAT(config, testing::IsOk());
  const TenantConfig& t = config->tenants[0];
  EXPECT_EQ(t.provider, v1::PROVIDER_TELNYX);
  ASSERT_NE(twilio::AccountOf(t), nullptr);
  ASSERT_NE(telnyx::AccountOf(t), nullptr);
  EXPECT_EQ(telnyx::AccountOf(t)->api_base_url, "http://127.0.0.1:9");
  EXPECT_EQ(telnyx::AccountOf(t)->webhook_tolerance_seconds, 300);
}

TEST_F(ConfigTest, TwilioRecordDefaultsToFalseAndParses) {
  auto config = providers::ParseConfig(Document(
      TwilioTenant("acme", "k1") + "," + R"({"id": "rec", "api_keys": [")" + HashApiKey("k2") +
      R"("], "twilio": {"account_sid": "AC00000000000000000000000000000001", "auth_token": "t",
                       "record": true}})"));
  ASSERT_THAT(config, testing::IsOk());
  EXPECT_FALSE(twilio::AccountOf(*config->FindTenant("acme"))->record);
  EXPECT_TRUE(twilio::AccountOf(*config->FindTenant("rec"))->record);

  auto wrong = providers::ParseConfig(Document(
      R"({"id": "rec", "api_keys": [")" + HashApiKey("k2") +
      R"("], "twilio": {"account_sid": "AC00000000000000000000000000000001", "auth_token": "t",
                       "record": "yes"}})"));
  EXPECT_THAT(wrong, testing::StatusIs(absl::StatusCode::kInvalidArgument));
  if (!wrong.ok()) {
    EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("tenants[0].twilio.record"));
  }
}

TEST_F(ConfigTest, MetricsEventIntervalDefaultsTo250MillisecondsAndParses) {
  auto defaults = providers::ParseConfig(Document(TwilioTenant("acme", "k1")));
  ASSERT_THAT(defaults, testing::IsOk());
  EXPECT_EQ(defaults->daemon.metrics_event_interval_ms, 250);

  for (int64_t ms : {10, 1000, 60000}) {
    auto config = providers::ParseConfig(
        R"({"daemon": {"internal_api_key": "i", "metrics_event_interval_ms": )" +
        std::to_string(ms) + R"(}, "tenants": [)" + TwilioTenant("acme", "k1") + "]}");
    ASSERT_THAT(config, testing::IsOk()) << ms;
    EXPECT_EQ(config->daemon.metrics_event_interval_ms, ms);
  }
}

TEST_F(ConfigTest, CloneWorkersDefaultToTwoAndAreBounded) {
  auto defaults = providers::ParseConfig(Document(TwilioTenant("acme", "k1")));
  ASSERT_THAT(defaults, testing::IsOk());
  EXPECT_EQ(defaults->daemon.clone_workers, 2);
  const auto with = [](const std::string& value) {
    return providers::ParseConfig(R"({"daemon": {"internal_api_key": "i", "clone_workers": )" +
                                  value + R"(}, "tenants": [)" + TwilioTenant("acme", "k1") + "]}");
  };
  auto eight = with("8");
  ASSERT_THAT(eight, testing::IsOk());
  EXPECT_EQ(eight->daemon.clone_workers, 8);
  for (const std::string value : {"0", "65", "\"2\""}) {
    auto bad = with(value);
    EXPECT_THAT(bad, testing::StatusIs(absl::StatusCode::kInvalidArgument)) << value;
    if (!bad.ok()) {
      EXPECT_THAT(std::string(bad.status().message()), HasSubstr("daemon.clone_workers")) << value;
    }
  }
}

TEST_F(ConfigTest, RejectsAMetricsEventIntervalOutOfRangeNamingTheKey) {
  for (const std::string value : {"9", "0", "-5", "60001", "2.5", "\"250\""}) {
    auto config = providers::ParseConfig(
        R"({"daemon": {"internal_api_key": "i", "metrics_event_interval_ms": )" + value +
        R"(}, "tenants": [)" + TwilioTenant("acme", "k1") + "]}");
    EXPECT_THAT(config, testing::StatusIs(absl::StatusCode::kInvalidArgument)) << value;
    if (!config.ok()) {
      EXPECT_THAT(std::string(config.status().message()),
                  HasSubstr("daemon.metrics_event_interval_ms"))
          << value;
    }
  }
  auto config = providers::ParseConfig(R"({"daemon": {"internal_api_key": "i",
                                           "metrics_event_interval_ms": 60001}, "tenants": [)" +
                                       TwilioTenant("acme", "k1") + "]}");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("between 10 and 60000"));
}

TEST(ApplyOverridesTest, ReplacesOnlyWhatIsGivenAndTrimsThePublicUrl) {
  Config config;
  config.daemon.db = "from-file.db";
  Overrides overrides;
  overrides.public_url = "https://hooks.example.com//";
  overrides.io_threads = 3;
  overrides.metrics_event_interval_ms = 100;
  ASSERT_TRUE(ApplyOverrides(overrides, &config).ok());
  EXPECT_EQ(config.adapter.public_url, "https://hooks.example.com");
  EXPECT_EQ(config.adapter.io_threads, 3);
  EXPECT_EQ(config.daemon.metrics_event_interval_ms, 100);
  EXPECT_EQ(config.daemon.db, "from-file.db");
  EXPECT_EQ(config.adapter.listen, AdapterConfig().listen);
}

TEST(ApplyOverridesTest, RefusesWhatTheFileWouldRefuseNamingTheFlagAndChangesNothing) {
  const std::vector<std::pair<Overrides, std::string>> cases = {
      {Overrides{.public_url = "hooks.example.com"}, "--public-url"},
      {Overrides{.clone_workers = 65}, "--clone-workers"},
      {Overrides{.metrics_event_interval_ms = 5}, "--metrics-event-interval-ms"},
  };
  for (const auto& [overrides, flag] : cases) {
    Config config;
    Overrides with_listen = overrides;
    with_listen.listen = "127.0.0.1:1";
    const absl::Status status = ApplyOverrides(with_listen, &config);
    EXPECT_THAT(status, testing::StatusIs(absl::StatusCode::kInvalidArgument)) << flag;
    EXPECT_THAT(std::string(status.message()), HasSubstr(flag));
    EXPECT_EQ(config.adapter.listen, AdapterConfig().listen) << flag;
  }
}

}  // namespace
}  // namespace callcontrol::config
