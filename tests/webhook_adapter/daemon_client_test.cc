// DaemonClient's batching of webhook reports, against a real gRPC server on loopback (FakeDaemon):
// reports that arrive while the in-flight limit is reached leave together in one
// BatchReportProviderEvents call, each report gets its own result, the queue is bounded, and
// shutdown answers what is still queued.
#include "webhook_adapter/daemon_client.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/webhook_adapter/fake_daemon.h"

namespace callcontrol::webhook_adapter {
namespace {

using internal::v1::ReportProviderEventRequest;
using internal::v1::ReportProviderEventResponse;
using ::testing::ElementsAre;

// The outcomes the client handed back, by report index.
class Outcomes {
 public:
  explicit Outcomes(int n) : statuses_(n, absl::UnknownError("no answer yet")), call_ids_(n) {}

  DaemonClient::Done For(int i) {
    return [this, i](const absl::Status& status, const ReportProviderEventResponse& response) {
      absl::MutexLock lock(&mu_);
      statuses_[i] = status;
      call_ids_[i] = response.call_id();
      ++answered_;
    };
  }

  bool WaitForAll(absl::Duration timeout = absl::Seconds(5)) {
    absl::MutexLock lock(&mu_);
    auto all = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return answered_ == static_cast<int>(statuses_.size());
    };
    return mu_.AwaitWithTimeout(absl::Condition(&all), timeout);
  }

  int answered() {
    absl::MutexLock lock(&mu_);
    return answered_;
  }
  absl::Status status(int i) {
    absl::MutexLock lock(&mu_);
    return statuses_[i];
  }
  std::string call_id(int i) {
    absl::MutexLock lock(&mu_);
    return call_ids_[i];
  }

 private:
  absl::Mutex mu_;
  std::vector<absl::Status> statuses_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> call_ids_ ABSL_GUARDED_BY(mu_);
  int answered_ ABSL_GUARDED_BY(mu_) = 0;
};

ReportProviderEventRequest Report(int i) {
  ReportProviderEventRequest r;
  r.set_tenant_id("acme");
  r.set_provider(v1::PROVIDER_TWILIO);
  r.set_call_id("call_" + std::to_string(i));
  r.mutable_provider_ids()->set_call_sid("CA" + std::to_string(i));
  return r;
}

class DaemonClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonClient> Client(int in_flight, int batch_size, int queued = 20000) {
    DaemonClient::Options options;
    options.api_key = kFakeDaemonApiKey;
    options.max_batches_in_flight = in_flight;
    options.max_batch_size = batch_size;
    options.max_queued_reports = queued;
    auto client = DaemonClient::Create(daemon_.address(), options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // Holds the daemon's answers, sends report 0 (which leaves alone, as the one call in flight),
  // then reports 1 to n-1 (which queue behind it).
  void SendBehindAHeldCall(DaemonClient* client, Outcomes* outcomes, int n) {
    daemon_.service().Hold();
    client->ReportProviderEvent(Report(0), outcomes->For(0));
    ASSERT_TRUE(daemon_.service().WaitForRequests(1));
    for (int i = 1; i < n; ++i) client->ReportProviderEvent(Report(i), outcomes->For(i));
  }

  FakeDaemon daemon_;
};

TEST_F(DaemonClientTest, ReportsWaitingForTheInFlightLimitLeaveAsOneBatch) {
  Outcomes outcomes(10);
  auto client = Client(/*in_flight=*/1, /*batch_size=*/256);
  ASSERT_NE(client, nullptr);
  SendBehindAHeldCall(client.get(), &outcomes, 10);
  EXPECT_EQ(outcomes.answered(), 0);  // nothing is answered before the daemon answers

  daemon_.service().ReleaseHeld(grpc::Status::OK);
  ASSERT_TRUE(outcomes.WaitForAll());
  EXPECT_THAT(daemon_.service().batch_sizes(), ElementsAre(1, 9));
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(outcomes.status(i).ok()) << i << ": " << outcomes.status(i);
    EXPECT_EQ(outcomes.call_id(i), "call_" + std::to_string(i));  // each its own result
  }
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(requests[i].call_id(), "call_" + std::to_string(i));
}

TEST_F(DaemonClientTest, ABatchNeverExceedsTheBatchSize) {
  Outcomes outcomes(11);
  auto client = Client(/*in_flight=*/1, /*batch_size=*/4);
  ASSERT_NE(client, nullptr);
  SendBehindAHeldCall(client.get(), &outcomes, 11);
  daemon_.service().ReleaseHeld(grpc::Status::OK);
  ASSERT_TRUE(outcomes.WaitForAll());
  EXPECT_THAT(daemon_.service().batch_sizes(), ElementsAre(1, 4, 4, 2));
}

// Audit finding 2: batches were capped by count only, so a few large webhooks made a message
// over the daemon's limit that failed all of them. A batch also stops at max_batch_bytes.
TEST_F(DaemonClientTest, ABatchNeverExceedsItsByteCap) {
  DaemonClient::Options options;
  options.api_key = kFakeDaemonApiKey;
  options.max_batches_in_flight = 1;
  options.max_batch_bytes = 10 * 1024;
  auto client = DaemonClient::Create(daemon_.address(), options);
  ASSERT_TRUE(client.ok()) << client.status();
  Outcomes outcomes(6);
  daemon_.service().Hold();
  (*client)->ReportProviderEvent(Report(0), outcomes.For(0));
  ASSERT_TRUE(daemon_.service().WaitForRequests(1));
  for (int i = 1; i < 6; ++i) {
    ReportProviderEventRequest big = Report(i);
    big.set_provider_status(std::string(4000, 's'));  // ~4 KiB each: two fit in 10 KiB
    (*client)->ReportProviderEvent(big, outcomes.For(i));
  }
  daemon_.service().ReleaseHeld(grpc::Status::OK);
  ASSERT_TRUE(outcomes.WaitForAll());
  EXPECT_THAT(daemon_.service().batch_sizes(), ElementsAre(1, 2, 2, 1));
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(outcomes.status(i).ok()) << i;
}

TEST_F(DaemonClientTest, EachReportGetsItsOwnErrorAndAFailedCallFailsOnlyItsBatch) {
  Outcomes one(1);
  Outcomes three(3);
  auto client = Client(/*in_flight=*/1, /*batch_size=*/256);
  ASSERT_NE(client, nullptr);
  daemon_.service().SetAnswer(grpc::Status(grpc::StatusCode::NOT_FOUND, "call call_0 not found"));
  client->ReportProviderEvent(Report(0), one.For(0));
  ASSERT_TRUE(one.WaitForAll());
  EXPECT_EQ(one.status(0).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(one.status(0).message(), "call call_0 not found");

  daemon_.service().SetAnswer(grpc::Status::OK);
  daemon_.service().Hold();
  for (int i = 0; i < 3; ++i) client->ReportProviderEvent(Report(i), three.For(i));
  ASSERT_TRUE(daemon_.service().WaitForRequests(2));  // report 0; 1 and 2 wait for it
  daemon_.service().ReleaseHeld(grpc::Status(grpc::StatusCode::UNAVAILABLE, "store busy"));
  ASSERT_TRUE(three.WaitForAll());
  EXPECT_EQ(three.status(0).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(three.status(1).ok()) << three.status(1);
  EXPECT_TRUE(three.status(2).ok()) << three.status(2);
  EXPECT_THAT(daemon_.service().batch_sizes(), ElementsAre(1, 1, 2));
}

TEST_F(DaemonClientTest, AFullQueueRefusesAtOnceWithUnavailable) {
  Outcomes outcomes(4);
  auto client = Client(/*in_flight=*/1, /*batch_size=*/256, /*queued=*/2);
  ASSERT_NE(client, nullptr);
  daemon_.service().Hold();
  client->ReportProviderEvent(Report(0), outcomes.For(0));  // in flight
  ASSERT_TRUE(daemon_.service().WaitForRequests(1));
  client->ReportProviderEvent(Report(1), outcomes.For(1));  // queued
  client->ReportProviderEvent(Report(2), outcomes.For(2));  // queued
  client->ReportProviderEvent(Report(3), outcomes.For(3));  // refused
  EXPECT_EQ(outcomes.answered(), 1);
  EXPECT_EQ(outcomes.status(3).code(), absl::StatusCode::kUnavailable);
  daemon_.service().ReleaseHeld(grpc::Status::OK);
  ASSERT_TRUE(outcomes.WaitForAll());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(outcomes.status(i).ok()) << outcomes.status(i);
}

TEST_F(DaemonClientTest, ShutdownAnswersEveryQueuedReport) {
  Outcomes outcomes(5);
  auto client = Client(/*in_flight=*/1, /*batch_size=*/256);
  ASSERT_NE(client, nullptr);
  SendBehindAHeldCall(client.get(), &outcomes, 5);
  client->Shutdown();  // cancels the call in flight; the queued reports are refused
  EXPECT_EQ(outcomes.answered(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(outcomes.status(i).ok()) << i;
  EXPECT_THAT(daemon_.service().batch_sizes(), ElementsAre(1));  // nothing more was sent

  Outcomes late(1);  // answered at once, inline
  client->ReportProviderEvent(Report(9), late.For(0));
  EXPECT_EQ(late.status(0).code(), absl::StatusCode::kUnavailable);
}

TEST_F(DaemonClientTest, RefusesBatchingOptionsOutOfRange) {
  DaemonClient::Options options;
  options.max_batches_in_flight = 0;
  EXPECT_EQ(DaemonClient::Create(daemon_.address(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = DaemonClient::Options();
  options.max_batch_size = 1001;
  EXPECT_EQ(DaemonClient::Create(daemon_.address(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
