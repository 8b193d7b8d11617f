// The unary callctl commands against a real gRPC server on 127.0.0.1 (FakeCallControlService).
#include "client/callctl_commands.h"

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "client/call_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/client/fake_call_control_service.h"
#include "tests/testing/grpc_environment.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::client {
namespace {

using ::callcontrol::client::testing::FakeCallControlService;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;

std::vector<v1::Call> FiveCalls() {
  std::vector<v1::Call> calls;
  for (int i = 1; i <= 5; ++i) {
    v1::Call call;
    call.set_call_id("call_" + std::string(31, '0') + std::to_string(i));
    call.mutable_provider_ids()->set_call_sid("CA" + std::string(31, '0') + std::to_string(i));
    call.set_from("+14155550100");
    call.set_to("+1415555012" + std::to_string(i));
    call.set_status(i % 2 == 0 ? v1::CALL_STATUS_COMPLETED : v1::CALL_STATUS_RINGING);
    call.mutable_create_time()->set_seconds(1774432399 + i);
    calls.push_back(call);
  }
  return calls;
}

class CallctlCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<FakeCallControlService>(std::vector<v1::Event>{}, FiveCalls());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::CallControlService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
    env_.stub = stub_.get();
    env_.api_key = "k-123";
    env_.timeout = absl::Seconds(5);
    env_.out = &out_;
  }

  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server_->Wait();
  }

  std::vector<std::string> OutLines() const {
    return absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
  }

  std::unique_ptr<FakeCallControlService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::CallControlService::Stub> stub_;
  CommandEnv env_;
  std::ostringstream out_;
};

TEST_F(CallctlCommandsTest, ListPrintsOnePageAndTheNextToken) {
  ASSERT_THAT(RunListCalls(env_, ListCallsArgs(), /*all=*/false), IsOk());
  const std::vector<v1::Call> calls = FiveCalls();
  EXPECT_EQ(OutLines(),
            (std::vector<std::string>{FormatCallLine(calls[0]), FormatCallLine(calls[1]),
                                      "next page: --page-token 2"}));
  EXPECT_EQ(service_->authorizations(), std::vector<std::string>{"Bearer k-123"});
}

TEST_F(CallctlCommandsTest, ListAllFollowsPageTokensToTheEnd) {
  ASSERT_THAT(RunListCalls(env_, ListCallsArgs(), /*all=*/true), IsOk());
  std::vector<std::string> expected;
  for (const v1::Call& call : FiveCalls()) {
    expected.push_back(FormatCallLine(call));
  }
  EXPECT_EQ(OutLines(), expected);
  EXPECT_EQ(service_->authorizations().size(), 3u);
}

TEST_F(CallctlCommandsTest, ListAllAsJsonPrintsOneResponsePerPage) {
  env_.json = true;
  ListCallsArgs args;
  args.page_size = 4;
  ASSERT_THAT(RunListCalls(env_, args, /*all=*/true), IsOk());
  const std::vector<std::string> lines = OutLines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("\"nextPageToken\":\"4\""), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].find("nextPageToken"), std::string::npos) << lines[1];
}

TEST_F(CallctlCommandsTest, ListWithBadStatusFailsBeforeAnyRpc) {
  ListCallsArgs args;
  args.statuses = {"ongoing"};
  EXPECT_THAT(RunListCalls(env_, args, false), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(service_->authorizations().empty());
}

TEST_F(CallctlCommandsTest, GetByCallSidPrintsTheCall) {
  ASSERT_THAT(RunGetCall(env_, FiveCalls()[2].provider_ids().call_sid()), IsOk());
  EXPECT_EQ(out_.str(), FormatCallDetail(FiveCalls()[2]));
}

TEST_F(CallctlCommandsTest, UnknownCallIsNotFoundWithTheServersMessage) {
  absl::Status status = RunGetCall(env_, "call_nope");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(FormatError(status), "callctl: NOT_FOUND: call call_nope not found");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CallctlCommandsTest, UnimplementedRpcReportsItsCode) {
  // The fake does not implement GetMetrics: the generated base answers UNIMPLEMENTED.
  EXPECT_THAT(RunGetMetrics(env_), StatusIs(absl::StatusCode::kUnimplemented));
}

TEST(AuthMetadataTest, BearerOnlyWhenAKeyIsGiven) {
  EXPECT_TRUE(AuthMetadata("").empty());
  EXPECT_EQ(AuthMetadata("abc"),
            (std::vector<std::pair<std::string, std::string>>{{"authorization", "Bearer abc"}}));
}

}  // namespace
}  // namespace callcontrol::client
