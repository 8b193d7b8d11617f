// Reads answer only durable state: callcontrold in-process (daemon_fixture.h) while a second
// SQLite connection holds the database's write lock, so the daemon's writer waits and the changes
// it queued stay uncommitted. A read showing such a change must not answer until the lock is
// released and the change is on disk; a read of a call with nothing pending answers at once.
// The same lock, taken before the daemon starts, holds the changes its startup makes: a
// subscriber resuming then still gets them once they are durable (no gap).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <utility>

#include "callcontrol/internal/v1/provider_event_service.grpc.pb.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "server/store/store.h"
#include "tests/server/daemon_fixture.h"
#include "tests/testing/wait.h"

namespace callcontrol {
namespace {

using internal::v1::ReportProviderEventRequest;
using internal::v1::ReportProviderEventResponse;
using internal::v1::StartInboundCallRequest;
using internal::v1::StartInboundCallResponse;
using testing::CallSid;
using testing::kAcmeKey;
using testing::kInternalKey;
using testing::WithKey;

// Every RPC of these tests gives up after this, so a failing test ends instead of hanging.
constexpr auto kRpcDeadline = std::chrono::seconds(3);
// How long a read must stay unanswered while its change cannot be committed.
constexpr auto kHeld = std::chrono::milliseconds(300);

// SQLite's write lock on `path`, taken with BEGIN IMMEDIATE on a connection of its own and held
// until Release() (or destruction).
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) return;
    sqlite3_busy_timeout(db_, 2000);  // the daemon's writer may be mid-commit
    held_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~WriteLock() {
    Release();
    sqlite3_close(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

  bool held() const { return held_; }
  void Release() {
    if (held_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    held_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
};

template <typename T>
bool Answered(const std::future<T>& f, std::chrono::milliseconds within) {
  return f.wait_for(within) == std::future_status::ready;
}
template <typename T>
bool AnsweredBy(const std::future<T>& f, std::chrono::steady_clock::time_point until) {
  return f.wait_until(until) == std::future_status::ready;
}

class DaemonDurableReadsTest : public testing::DaemonFixture {
 protected:
  void SetDeadline(grpc::ClientContext* ctx, const std::string& key) {
    WithKey(ctx, key);
    ctx->set_deadline(std::chrono::system_clock::now() + kRpcDeadline);
  }

  // A Twilio status callback of acme's call `call` (its CallSid), answered in the background.
  std::future<std::pair<grpc::Status, ReportProviderEventResponse>> ReportAsync(
      int call, const char* word, v1::CallStatus status, int seq) {
    return std::async(std::launch::async, [this, call, word, status, seq] {
      const ReportProviderEventRequest r = StatusReport(call, word, status, seq);
      grpc::ClientContext ctx;
      SetDeadline(&ctx, kInternalKey);
      ReportProviderEventResponse response;
      grpc::Status s = events_->ReportProviderEvent(&ctx, r, &response);
      return std::make_pair(s, response);
    });
  }

  std::future<std::pair<grpc::Status, v1::Call>> GetCallAsync(const std::string& id) {
    return std::async(std::launch::async, [this, id] {
      grpc::ClientContext ctx;
      SetDeadline(&ctx, kAcmeKey);
      v1::GetCallRequest request;
      request.set_call_id(id);
      v1::GetCallResponse response;
      grpc::Status s = calls_->GetCall(&ctx, request, &response);
      return std::make_pair(s, response.call());
    });
  }

  // The adapter's StartInboundCall for acme's inbound call `call` (its CallSid).
  std::future<std::pair<grpc::Status, StartInboundCallResponse>> StartInboundAsync(int call) {
    return std::async(std::launch::async, [this, call] {
      StartInboundCallRequest r;
      r.set_tenant_id("acme");
      r.set_provider(v1::PROVIDER_TWILIO);
      r.mutable_provider_ids()->set_call_sid(CallSid(call));
      r.set_from("+14155550100");
      r.set_to("+15005550006");
      r.set_provider_status("ringing");
      grpc::ClientContext ctx;
      SetDeadline(&ctx, kInternalKey);
      StartInboundCallResponse response;
      grpc::Status s = events_->StartInboundCall(&ctx, r, &response);
      return std::make_pair(s, response);
    });
  }

  std::future<grpc::Status> GetCloneStatusAsync(const std::string& id) {
    return std::async(std::launch::async, [this, id] {
      grpc::ClientContext ctx;
      SetDeadline(&ctx, kAcmeKey);
      v1::GetCloneStatusRequest request;
      request.set_call_id(id);
      v1::GetCloneStatusResponse response;
      return calls_->GetCloneStatus(&ctx, request, &response);
    });
  }

  // acme's metrics, which show memory (not only durable) state: how the test knows a change
  // was applied though it cannot be committed.
  v1::Metrics Metrics() {
    grpc::ClientContext ctx;
    SetDeadline(&ctx, kAcmeKey);
    v1::GetMetricsResponse response;
    EXPECT_TRUE(calls_->GetMetrics(&ctx, v1::GetMetricsRequest(), &response).ok());
    return response.metrics();
  }
  static int64_t CountOf(const v1::Metrics& m, v1::CallStatus status) {
    for (const auto& sc : m.calls_by_status()) {
      if (sc.status() == status) return sc.count();
    }
    return 0;
  }
  // Waits (bounded) until acme has `total` calls, `in_progress` of them in progress.
  bool WaitForMetrics(int64_t total, int64_t in_progress) {
    return ::callcontrol::testing::WaitFor(
        [&] {
          const v1::Metrics m = Metrics();
          return m.total_calls() == total && CountOf(m, v1::CALL_STATUS_IN_PROGRESS) == in_progress;
        },
        std::chrono::duration_cast<std::chrono::milliseconds>(kRpcDeadline), "the metrics");
  }
};

TEST_F(DaemonDurableReadsTest, ReadsWaitUntilTheChangeTheyShowIsDurable) {
  StartDaemon();
  // Calls 1 and 3 ringing, on disk.
  auto created1 = ReportAsync(1, "ringing", v1::CALL_STATUS_RINGING, 1).get();
  ASSERT_TRUE(created1.first.ok()) << created1.first.error_message();
  auto created3 = ReportAsync(3, "ringing", v1::CALL_STATUS_RINGING, 1).get();
  ASSERT_TRUE(created3.first.ok()) << created3.first.error_message();

  WriteLock lock(dir_.File("cc.db"));
  ASSERT_TRUE(lock.held());
  // Call 1 answered and inbound call 5 created: applied in memory, not committable.
  auto answered = ReportAsync(1, "in-progress", v1::CALL_STATUS_IN_PROGRESS, 2);
  auto inbound = StartInboundAsync(5);
  ASSERT_TRUE(WaitForMetrics(/*total=*/3, /*in_progress=*/1));

  // Call 3 has nothing pending: answered at once although the writer is stuck.
  auto untouched = GetCallAsync(CallSid(3));
  ASSERT_TRUE(Answered(untouched, std::chrono::milliseconds(kRpcDeadline)));
  auto untouched_result = untouched.get();
  ASSERT_TRUE(untouched_result.first.ok()) << untouched_result.first.error_message();
  EXPECT_EQ(untouched_result.second.status(), v1::CALL_STATUS_RINGING);

  // Reads showing a pending change, and acknowledgements of repeats of it, wait.
  auto read = GetCallAsync(CallSid(1));
  auto duplicate = ReportAsync(1, "in-progress", v1::CALL_STATUS_IN_PROGRESS, 2);
  auto replay = StartInboundAsync(5);
  auto clone_status = GetCloneStatusAsync(CallSid(5));
  // Each is given the whole window to answer (wrongly).
  const auto window_end = std::chrono::steady_clock::now() + kHeld;
  EXPECT_FALSE(AnsweredBy(read, window_end));
  EXPECT_FALSE(AnsweredBy(duplicate, window_end));
  EXPECT_FALSE(AnsweredBy(replay, window_end));
  EXPECT_FALSE(AnsweredBy(clone_status, window_end));
  EXPECT_FALSE(AnsweredBy(answered, window_end));
  EXPECT_FALSE(AnsweredBy(inbound, window_end));

  lock.Release();
  const auto within = std::chrono::milliseconds(kRpcDeadline);
  ASSERT_TRUE(Answered(read, within));
  auto read_result = read.get();
  ASSERT_TRUE(read_result.first.ok()) << read_result.first.error_message();
  EXPECT_EQ(read_result.second.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(read_result.second.version(), 2);

  ASSERT_TRUE(Answered(answered, within));
  auto answered_result = answered.get();
  ASSERT_TRUE(answered_result.first.ok()) << answered_result.first.error_message();
  EXPECT_TRUE(answered_result.second.applied());
  ASSERT_TRUE(Answered(duplicate, within));
  auto duplicate_result = duplicate.get();
  ASSERT_TRUE(duplicate_result.first.ok()) << duplicate_result.first.error_message();
  EXPECT_FALSE(duplicate_result.second.applied());
  EXPECT_EQ(duplicate_result.second.call_id(), answered_result.second.call_id());

  ASSERT_TRUE(Answered(inbound, within));
  ASSERT_TRUE(Answered(replay, within));
  auto inbound_result = inbound.get();
  auto replay_result = replay.get();
  ASSERT_TRUE(inbound_result.first.ok()) << inbound_result.first.error_message();
  ASSERT_TRUE(replay_result.first.ok()) << replay_result.first.error_message();
  EXPECT_FALSE(inbound_result.second.call_id().empty());
  EXPECT_EQ(replay_result.second.call_id(), inbound_result.second.call_id());
  ASSERT_TRUE(Answered(clone_status, within));
  // acme has no clone flow: the call is found, its (missing) job reported once durable.
  EXPECT_EQ(clone_status.get().error_code(), grpc::StatusCode::NOT_FOUND);
  StopDaemon();
}

// A call callcontrold was dialing when it was killed: QUEUED, no provider id, event 1 on disk.
v1::Call WriteInterruptedDial(const std::string& path) {
  v1::Call call;
  call.set_call_id("call_00000000000000000000100000000001");
  call.set_tenant_id("acme");
  call.set_provider(v1::PROVIDER_TWILIO);
  call.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  call.set_from("+15005550006");
  call.set_to("+14155550100");
  call.set_status(v1::CALL_STATUS_QUEUED);
  call.set_version(1);
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  *call.mutable_create_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(now_us);
  *call.mutable_update_time() = call.create_time();
  store::Mutation m;
  store::CallRow& row = m.call.emplace();
  row.call_id = call.call_id();
  row.tenant_id = call.tenant_id();
  row.status = call.status();
  row.create_time_us = now_us;
  row.update_time_us = now_us;
  call.SerializeToString(&row.data);
  v1::StreamEventsResponse wire;
  v1::Event* event = wire.add_events();
  event->set_sequence(1);
  event->set_type(v1::EVENT_TYPE_CALL_CREATED);
  event->set_name("call:created");
  event->set_tenant_id("acme");
  *event->mutable_call() = call;
  m.events.push_back(store::EventRow{1, "acme", wire.SerializeAsString()});
  auto opened = store::Store::Open(path, {});
  EXPECT_TRUE(opened.ok()) << opened.status();
  if (!opened.ok()) return call;
  std::promise<absl::Status> done;
  (*opened)->Submit(std::move(m), [&done](absl::Status s) { done.set_value(s); });
  EXPECT_TRUE(done.get_future().get().ok());
  return call;
}

// Regression: at startup the daemon marks an interrupted dial unconfirmed (event 2) while
// loading. The event bus used to start "published through" 2 before that commit was on disk, so
// a subscriber resuming at 1 replayed (1, 2] from the disk, found nothing yet, and then skipped
// event 2 when it was published: a gap the crash audit's resuming subscriber would see.
TEST_F(DaemonDurableReadsTest, ASubscriberResumingAtStartupGetsWhatLoadIsStillCommitting) {
  const v1::Call queued = WriteInterruptedDial(dir_.File("cc.db"));
  WriteLock lock(dir_.File("cc.db"));
  ASSERT_TRUE(lock.held());
  ASSERT_NO_FATAL_FAILURE(StartDaemon());  // event 2 is queued, and cannot be committed
  auto resumed = std::async(std::launch::async, [this] {
    std::vector<v1::Event> events;
    ReadEvents(/*since=*/1, /*count=*/1, &events);
    return events;
  });
  EXPECT_FALSE(Answered(resumed, kHeld)) << "nothing after 1 is durable yet";
  lock.Release();
  ASSERT_TRUE(Answered(resumed, std::chrono::seconds(25)));
  const std::vector<v1::Event> events = resumed.get();
  ASSERT_EQ(events.size(), 1u) << "the resumed stream never got event 2";
  EXPECT_EQ(events[0].sequence(), 2);
  EXPECT_EQ(events[0].call().call_id(), queued.call_id());
  StopDaemon();
}

}  // namespace
}  // namespace callcontrol
