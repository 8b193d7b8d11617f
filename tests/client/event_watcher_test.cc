// The watch loop against a real gRPC server on 127.0.0.1 whose StreamEvents follows a script:
// streams that end with RESOURCE_EXHAUSTED / UNAVAILABLE / OUT_OF_RANGE mid-way.
#include "client/event_watcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/call_format.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/client/fake_call_control_service.h"
#include "tests/testing/grpc_environment.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::client {
namespace {

using ::callcontrol::client::testing::FakeCallControlService;
using ::callcontrol::client::testing::StreamPlan;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;

constexpr char kSidA[] = "CA0000000000000000000000000000000a";
constexpr char kSidB[] = "CA0000000000000000000000000000000b";

v1::Event CallEvent(int64_t sequence, const std::string& sid, v1::CallStatus status) {
  v1::Event e;
  e.set_sequence(sequence);
  e.set_type(status == v1::CALL_STATUS_QUEUED ? v1::EVENT_TYPE_CALL_CREATED
                                              : v1::EVENT_TYPE_CALL_UPDATED);
  e.set_name(status == v1::CALL_STATUS_QUEUED ? "call:created" : "call:updated");
  e.set_tenant_id("acme");
  v1::Call* call = e.mutable_call();
  call->set_call_id("call_" + sid.substr(2));
  call->mutable_provider_ids()->set_call_sid(sid);
  call->set_from("+14155550100");
  call->set_to("+14155550123");
  call->set_status(status);
  if (IsTerminal(status)) {
    call->set_duration_seconds(49);
  }
  return e;
}

v1::Event MetricsEvent(int64_t sequence) {
  v1::Event e;
  e.set_sequence(sequence);
  e.set_type(v1::EVENT_TYPE_METRICS_UPDATED);
  e.set_name("metrics:updated");
  e.mutable_metrics()->set_total_calls(sequence);
  return e;
}

// A stream that sends at most `max_events` (-1: all) in batches of `batch_size`, first resending
// `replay_overlap` old events, then ends with `end` (unset: stays open).
StreamPlan Plan(int max_events, std::optional<grpc::Status> end = std::nullopt, int batch_size = 1,
                int replay_overlap = 0) {
  StreamPlan plan;
  plan.max_events = max_events;
  plan.end = std::move(end);
  plan.batch_size = batch_size;
  plan.replay_overlap = replay_overlap;
  return plan;
}

grpc::Status Code(grpc::StatusCode code, const std::string& message) {
  return grpc::Status(code, message);
}

// Sequences with gaps, as a multi-tenant log has.
std::vector<v1::Event> EightEventLog() {
  return {CallEvent(1, kSidA, v1::CALL_STATUS_QUEUED),
          CallEvent(2, kSidA, v1::CALL_STATUS_RINGING),
          MetricsEvent(3),
          CallEvent(5, kSidA, v1::CALL_STATUS_IN_PROGRESS),
          CallEvent(8, kSidB, v1::CALL_STATUS_QUEUED),
          CallEvent(9, kSidA, v1::CALL_STATUS_COMPLETED),
          CallEvent(10, kSidB, v1::CALL_STATUS_RINGING),
          CallEvent(12, kSidB, v1::CALL_STATUS_BUSY)};
}

std::string Lines(const std::vector<v1::Event>& events) {
  std::string out;
  for (const v1::Event& e : events) {
    out += FormatEventLine(e) + "\n";
  }
  return out;
}

// Polls `condition` every few milliseconds for at most `timeout`.
::testing::AssertionResult WaitUntil(const std::function<bool()>& condition,
                                     absl::Duration timeout = absl::Seconds(5)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) {
      return ::testing::AssertionSuccess();
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return ::testing::AssertionFailure() << "condition not met within " << timeout;
}

class EventWatcherTest : public ::testing::Test {
 protected:
  void Start(std::vector<v1::Event> log, std::vector<v1::Call> calls = {}) {
    service_ = std::make_unique<FakeCallControlService>(std::move(log), std::move(calls));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::CallControlService::NewStub(channel_);
    options_.initial_backoff = absl::Milliseconds(1);
    options_.max_backoff = absl::Milliseconds(4);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_->Wait();
    }
  }

  absl::StatusOr<WatchResult> Watch(WatchStop* stop = nullptr) {
    return WatchEvents(*stub_, options_, out_, err_, stop);
  }

  std::unique_ptr<FakeCallControlService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CallControlService::Stub> stub_;
  WatchOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(EventWatcherTest, ResumesAfterResourceExhaustedFromLastSequenceAndPrintsEachEventOnce) {
  const std::vector<v1::Event> log = EightEventLog();
  Start(log);
  // First stream: 5 events in batches of 2, then "too slow". The second stream also resends the
  // two events before since_sequence; neither may be printed twice.
  service_->AddPlan(
      Plan(5, Code(grpc::StatusCode::RESOURCE_EXHAUSTED, "subscriber fell behind"), 2));
  service_->AddPlan(Plan(-1, std::nullopt, 1, 2));
  options_.max_events = 8;

  absl::StatusOr<WatchResult> result = Watch();

  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(out_.str(), Lines(log));
  EXPECT_EQ(result->printed, 8);
  EXPECT_EQ(result->reconnects, 1);
  EXPECT_EQ(result->last_sequence, 12);
  EXPECT_EQ(service_->stream_requests(), (std::vector<std::optional<int64_t>>{std::nullopt, 8}));
  EXPECT_NE(err_.str().find("RESOURCE_EXHAUSTED"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("from sequence 8"), std::string::npos) << err_.str();
}

TEST_F(EventWatcherTest, ResumesAfterUnavailableEvenWhenAStreamDeliveredNothing) {
  const std::vector<v1::Event> log = EightEventLog();
  Start(log);
  service_->AddPlan(Plan(3, Code(grpc::StatusCode::UNAVAILABLE, "restarting")));
  service_->AddPlan(Plan(0, Code(grpc::StatusCode::UNAVAILABLE, "restarting")));
  service_->AddPlan(Plan(2, Code(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow")));
  options_.since_sequence = 0;
  options_.max_events = 8;

  absl::StatusOr<WatchResult> result = Watch();

  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(out_.str(), Lines(log));
  EXPECT_EQ(result->reconnects, 3);
  EXPECT_EQ(service_->stream_requests(), (std::vector<std::optional<int64_t>>{0, 3, 3, 8}));
}

TEST_F(EventWatcherTest, StartsAfterTheGivenSequence) {
  const std::vector<v1::Event> log = EightEventLog();
  Start(log);
  options_.since_sequence = 8;
  options_.max_events = 3;

  ASSERT_THAT(Watch(), IsOk());

  EXPECT_EQ(out_.str(), Lines({log[5], log[6], log[7]}));
  EXPECT_EQ(service_->stream_requests(), (std::vector<std::optional<int64_t>>{8}));
}

TEST_F(EventWatcherTest, OutOfRangeEndsTheWatchWithAnError) {
  Start(EightEventLog());
  service_->AddPlan(
      Plan(0, Code(grpc::StatusCode::OUT_OF_RANGE, "sequence 1 is no longer retained")));
  options_.since_sequence = 1;

  absl::StatusOr<WatchResult> result = Watch();

  EXPECT_THAT(result, StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_NE(result.status().message().find("no longer retained"), std::string::npos);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(service_->stream_requests().size(), 1u);
}

TEST_F(EventWatcherTest, OtherErrorsAreReturnedAndTheApiKeyIsSent) {
  Start(EightEventLog());
  service_->AddPlan(Plan(0, Code(grpc::StatusCode::UNAUTHENTICATED, "unknown API key")));
  options_.metadata = {{"authorization", "Bearer k-123"}};

  EXPECT_THAT(Watch(), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(service_->authorizations(), std::vector<std::string>{"Bearer k-123"});
}

TEST_F(EventWatcherTest, UntilTerminalFollowsOneCallNamedByItsCallSid) {
  const std::vector<v1::Event> log = EightEventLog();
  Start(log);
  service_->AddPlan(Plan(4, Code(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow")));
  options_.since_sequence = 0;
  options_.call_id = kSidA;
  options_.until_terminal = true;

  absl::StatusOr<WatchResult> result = Watch();

  ASSERT_THAT(result, IsOk());
  // Call A: created, ringing, in progress, completed; metrics and call B are filtered out.
  EXPECT_EQ(out_.str(), Lines({log[0], log[1], log[3], log[5]}));
  EXPECT_EQ(result->printed, 4);
  EXPECT_EQ(result->last_sequence, 9);
  EXPECT_EQ(service_->stream_requests(), (std::vector<std::optional<int64_t>>{0, 5}));
}

TEST_F(EventWatcherTest, UntilTerminalReturnsAtOnceWhenTheCallAlreadyEnded) {
  const std::vector<v1::Event> log = EightEventLog();
  Start(log, {log[5].call()});  // call A, completed
  options_.call_id = kSidA;
  options_.until_terminal = true;

  absl::StatusOr<WatchResult> result = Watch();

  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->printed, 0);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("already ended: completed"), std::string::npos) << err_.str();
  EXPECT_TRUE(service_->stream_requests().empty());
}

TEST_F(EventWatcherTest, UntilTerminalWithoutCallIsRejected) {
  Start(EightEventLog());
  options_.until_terminal = true;
  EXPECT_THAT(Watch(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(service_->stream_requests().empty());
}

TEST_F(EventWatcherTest, JsonPrintsOneEventObjectPerLine) {
  const std::vector<v1::Event> log = EightEventLog();
  Start(log);
  options_.since_sequence = 0;
  options_.json = true;
  options_.max_events = 3;

  ASSERT_THAT(Watch(), IsOk());

  std::vector<std::string> lines = absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  for (size_t i = 0; i < lines.size(); ++i) {
    v1::Event parsed;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[i], &parsed).ok()) << lines[i];
    EXPECT_EQ(parsed.SerializeAsString(), log[i].SerializeAsString());
  }
}

TEST_F(EventWatcherTest, StopEndsAnOpenStreamCleanly) {
  const std::vector<v1::Event> log = EightEventLog();
  Start(log);
  options_.since_sequence = 0;
  WatchStop stop;
  absl::StatusOr<WatchResult> result;
  std::thread watcher([&] { result = Watch(&stop); });

  ASSERT_TRUE(WaitUntil([&] { return service_->idle_streams() == 1; }));
  stop.Stop();
  watcher.join();

  ASSERT_THAT(result, IsOk());
  // The server had sent all 8; the watcher may stop before it has read them all, but what it
  // printed is whole lines, in order, from the start.
  ASSERT_LE(result->printed, 8);
  EXPECT_EQ(out_.str(), Lines(std::vector<v1::Event>(log.begin(), log.begin() + result->printed)));
  EXPECT_EQ(err_.str(), "");
}

TEST_F(EventWatcherTest, StopInterruptsTheReconnectWait) {
  Start(EightEventLog());
  service_->AddPlan(Plan(0, Code(grpc::StatusCode::UNAVAILABLE, "down")));
  options_.initial_backoff = absl::Minutes(1);
  options_.max_backoff = absl::Minutes(1);
  WatchStop stop;
  absl::StatusOr<WatchResult> result;
  std::thread watcher([&] { result = Watch(&stop); });

  ASSERT_TRUE(WaitUntil([&] { return !service_->stream_requests().empty(); }));
  const absl::Time stopped_at = absl::Now();
  stop.Stop();
  watcher.join();

  EXPECT_LT(absl::Now() - stopped_at, absl::Seconds(5));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(service_->stream_requests().size(), 1u);
}

TEST_F(EventWatcherTest, ReconnectsWhenTheServerIsNotUpYet) {
  // A free port: bind an ephemeral one, note it, release it; the watch starts before anything
  // listens there.
  int port = 0;
  {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    close(fd);
  }

  const std::vector<v1::Event> log = EightEventLog();
  service_ = std::make_unique<FakeCallControlService>(log);
  channel_ =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  stub_ = v1::CallControlService::NewStub(channel_);
  options_.initial_backoff = absl::Milliseconds(20);
  options_.max_backoff = absl::Milliseconds(100);
  options_.since_sequence = 0;
  options_.max_events = 8;
  absl::StatusOr<WatchResult> result;
  std::thread watcher([&] { result = Watch(); });

  // Let the first attempt fail: the channel reports the refused connection.
  ASSERT_TRUE(
      WaitUntil([&] { return channel_->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE; }));
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(port), grpc::InsecureServerCredentials());
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  ASSERT_NE(server_, nullptr);
  watcher.join();

  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(out_.str(), Lines(log));
  EXPECT_GE(result->reconnects, 1);
  EXPECT_NE(err_.str().find("UNAVAILABLE"), std::string::npos);
}

}  // namespace
}  // namespace callcontrol::client
