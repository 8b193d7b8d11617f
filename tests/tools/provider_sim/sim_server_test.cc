// provider-sim's shared server parts: option checks, the route table, the registry and the
// input checks every provider uses.
#include "tools/provider_sim/sim_server.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tools/provider_sim/sim_http.h"
#include "tools/provider_sim/sim_provider.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;

TEST(IsE164Test, AcceptsOnlyPlusCountryCodeAndDigits) {
  EXPECT_TRUE(IsE164("+15558675310"));
  EXPECT_TRUE(IsE164("+442071838750"));
  EXPECT_FALSE(IsE164("15558675310"));
  EXPECT_FALSE(IsE164("+0155586753"));
  EXPECT_FALSE(IsE164("+1 555 867 5310"));
  EXPECT_FALSE(IsE164("+1234567890123456"));  // 16 digits
  EXPECT_FALSE(IsE164("client:alice"));
}

TEST(SimServerTest, RefusesNonLoopbackListenWithoutAllowRemote) {
  SimServer::Options remote;
  remote.listen = "0.0.0.0:0";
  EXPECT_THAT(SimServer::Start(std::move(remote)), StatusIs(absl::StatusCode::kInvalidArgument));
  SimServer::Options no_time;
  no_time.listen = "127.0.0.1:0";
  no_time.time_scale = 0;
  EXPECT_THAT(SimServer::Start(std::move(no_time)), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Which of the handlers 1..n answers `path` (0 for none).
int Route(const SimRoutes& routes, std::string_view path) {
  const SimHandler* handler = routes.Find(path);
  if (handler == nullptr) return 0;
  int which = 0;
  (*handler)(http::Request{}, [&](http::Response response) { which = response.status; });
  return which;
}

SimHandler Answer(int status) {
  return [status](const http::Request&, http::Responder respond) {
    http::Response response;
    response.status = status;
    respond(std::move(response));
  };
}

TEST(SimRoutesTest, ExactPathsThenTheLongestPrefix) {
  SimRoutes routes;
  ASSERT_THAT(routes.Add("/", Answer(1)), IsOk());
  ASSERT_THAT(routes.Add("/v1/", Answer(2)), IsOk());
  ASSERT_THAT(routes.Add("/v1/voices/", Answer(3)), IsOk());
  ASSERT_THAT(routes.Add("/sim/list", Answer(4)), IsOk());
  EXPECT_EQ(Route(routes, "/v1/voices/add"), 3);
  EXPECT_EQ(Route(routes, "/v1/Accounts/x"), 2);
  EXPECT_EQ(Route(routes, "/v1"), 1);
  EXPECT_EQ(Route(routes, "/sim/list"), 4);
  EXPECT_EQ(Route(routes, "/sim/list/1"), 1) << "an exact path covers only itself";
  EXPECT_THAT(routes.Add("/v1/", Answer(5)), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(Route(routes, "/v1/x"), 2);
  SimRoutes empty;
  EXPECT_EQ(Route(empty, "/"), 0);
}

TEST(SimRegistryTest, EveryProviderHasAUniqueNameAHelpTableAndStarts) {
  std::set<std::string> names;
  for (const auto& provider : SimProviders()) {
    EXPECT_TRUE(names.insert(std::string(provider->name())).second) << provider->name();
    EXPECT_FALSE(provider->description().empty()) << provider->name();
    const std::string help = provider->ScenarioHelp();
    EXPECT_THAT(help, ::testing::HasSubstr("  0100  ")) << provider->name();
    EXPECT_EQ(help.back(), '\n');
  }
  EXPECT_EQ(names.size(), 5u);
  SimServer::Options options;
  options.listen = "127.0.0.1:0";
  auto sim = SimServer::Start(std::move(options));
  ASSERT_THAT(sim, IsOk());
  EXPECT_EQ((*sim)->providers().size(), names.size());
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
