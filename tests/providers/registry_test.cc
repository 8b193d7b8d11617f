#include "providers/registry.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace callcontrol::providers {
namespace {

TEST(RegistryTest, ListsEveryProviderOnceInOrder) {
  std::vector<std::string> names;
  std::set<int> ids;
  for (const Provider* provider : AllProviders()) {
    names.emplace_back(provider->name());
    ids.insert(provider->id());
    EXPECT_EQ(provider->config_spec().provider, provider->id());
    EXPECT_EQ(provider->config_spec().name, provider->name());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"twilio", "telnyx", "exotel", "bolna"}));
  EXPECT_EQ(ids.size(), names.size());
}

TEST(RegistryTest, FindsByIdAndName) {
  ASSERT_NE(FindProvider(v1::PROVIDER_TELNYX), nullptr);
  EXPECT_EQ(FindProvider(v1::PROVIDER_TELNYX)->name(), "telnyx");
  EXPECT_EQ(FindProvider(v1::PROVIDER_UNSPECIFIED), nullptr);
  ASSERT_NE(FindProviderNamed("exotel"), nullptr);
  EXPECT_EQ(FindProviderNamed("exotel")->id(), v1::PROVIDER_EXOTEL);
  EXPECT_EQ(FindProviderNamed("Exotel"), nullptr);
  EXPECT_EQ(FindProviderNamed(""), nullptr);
}

TEST(RegistryTest, PrimaryIdIsTheLegNotTheSession) {
  v1::ProviderIds ids;
  ids.set_call_sid("CA0123");
  ids.set_call_control_id("v3:leg");
  ids.set_call_session_id("session");
  ids.set_execution_id("exec");
  EXPECT_EQ(FindProvider(v1::PROVIDER_TWILIO)->PrimaryId(ids), "CA0123");
  EXPECT_EQ(FindProvider(v1::PROVIDER_EXOTEL)->PrimaryId(ids), "CA0123");
  EXPECT_EQ(FindProvider(v1::PROVIDER_TELNYX)->PrimaryId(ids), "v3:leg");
  EXPECT_EQ(FindProvider(v1::PROVIDER_BOLNA)->PrimaryId(ids), "exec");
}

TEST(RegistryTest, UnsignedProvidersNeedAWebhookToken) {
  EXPECT_TRUE(FindProvider(v1::PROVIDER_TWILIO)->config_spec().signs_webhooks);
  EXPECT_TRUE(FindProvider(v1::PROVIDER_TELNYX)->config_spec().signs_webhooks);
  EXPECT_FALSE(FindProvider(v1::PROVIDER_EXOTEL)->config_spec().signs_webhooks);
  EXPECT_FALSE(FindProvider(v1::PROVIDER_BOLNA)->config_spec().signs_webhooks);
}

TEST(RegistryTest, EveryProviderButBolnaHasACallClient) {
  for (const Provider* provider : AllProviders()) {
    EXPECT_EQ(provider->NewCallClient() != nullptr, provider->id() != v1::PROVIDER_BOLNA)
        << provider->name();
  }
}

}  // namespace
}  // namespace callcontrol::providers
