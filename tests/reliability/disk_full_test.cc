// A full disk under the real processes: callcontrold's database on a small tmpfs (mounting needs
// root; the test is skipped otherwise), webhook-adapter and provider-sim in front of it. Once the
// disk fills, the daemon refuses changes (StartCall UNAVAILABLE, signed webhooks 503 so the
// provider retries) and keeps serving reads (GetCall, ListCalls); the change whose commit hit the
// full disk is kept and retried, not lost. When space returns it is writable again by itself: the
// stalled change commits, StartCall and webhooks succeed, and the daemon never exited (no abort
// and crash loop, finding 14 of issue 10).
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/integration/stack_fixture.h"
#include "tests/testing/wait.h"

namespace callcontrol::testing {
namespace {

// Writes zeros into `path` until the file system is full. Returns the bytes written.
int64_t FillDisk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  const std::string chunk(4096, '\0');
  int64_t written = 0;
  for (;;) {
    const ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n <= 0) break;  // ENOSPC
    written += n;
  }
  ::close(fd);
  return written;
}

bool Running(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == 0;
}

class DiskFullTest : public StackTest {
 protected:
  DiskFullTest() { sim_time_scale_ = "100000"; }  // the test sends every callback itself

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    disk_ = dir_.File("disk");
    std::filesystem::create_directories(disk_);
    ASSERT_EQ(::mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=4m"), 0) << "mount tmpfs";
    mounted_ = true;
    db_path_ = disk_ + "/callcontrol.db";
    ASSERT_NO_FATAL_FAILURE(StackTest::SetUp());
  }

  void TearDown() override {
    StackTest::TearDown();
    if (mounted_) ::umount2(disk_.c_str(), MNT_DETACH);
  }

  grpc::Status StartCallWithin(const std::string& to, const std::string& key, v1::Call* call,
                               std::chrono::seconds deadline) {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAcmeKey);
    ctx.set_deadline(std::chrono::system_clock::now() + deadline);
    v1::StartCallRequest request;
    request.set_to(to);
    request.set_idempotency_key(key);
    v1::StartCallResponse response;
    grpc::Status s = stub_->StartCall(&ctx, request, &response);
    *call = response.call();
    return s;
  }

  long Callback(const v1::Call& call, const char* status, int sequence) {
    return PostStatusCallback(call.call_id(),
                              {{"AccountSid", kAccountSid},
                               {"CallSid", call.provider_ids().call_sid()},
                               {"CallStatus", status},
                               {"SequenceNumber", std::to_string(sequence)},
                               {"To", call.to()},
                               {"Direction", "outbound-api"}},
                              kAuthToken);
  }

  std::string disk_;
  bool mounted_ = false;
};

TEST_F(DiskFullTest, RefusesChangesKeepsReadingAndRecoversWhenSpaceReturns) {
  // A call placed while there is room: the test's webhooks target it.
  v1::Call placed;
  ASSERT_TRUE(StartCallWithin("+15005550100", "placed", &placed, std::chrono::seconds(10)).ok());
  ASSERT_FALSE(placed.provider_ids().call_sid().empty());
  ASSERT_EQ(Callback(placed, "initiated", 0), 200);

  ASSERT_GT(FillDisk(disk_ + "/filler"), 0);
  // Place calls until one cannot commit: it is held (its deadline passes) and the next ones are
  // refused at once. The WAL's free frames take a few commits before the disk is the limit.
  std::string stalled_key;
  grpc::Status refused;
  int placed_on_full_disk = 0;
  for (int i = 0; i < 400 && refused.ok(); ++i) {
    v1::Call call;
    const std::string key = "fill-" + std::to_string(i);
    const grpc::Status s =
        StartCallWithin("+1500555" + std::to_string(1000 + i), key, &call, std::chrono::seconds(3));
    if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) stalled_key = key;
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE) refused = s;
    placed_on_full_disk += s.ok();
    ASSERT_TRUE(s.ok() || s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                s.error_code() == grpc::StatusCode::UNAVAILABLE)
        << s.error_code() << ": " << s.error_message();
  }
  ASSERT_FALSE(refused.ok()) << "the disk never filled";
  std::cout << "disk full after " << placed_on_full_disk
            << " more calls; held: " << (stalled_key.empty() ? "none" : stalled_key) << std::endl;
  EXPECT_NE(refused.error_message().find("not writable"), std::string::npos)
      << refused.error_message();

  // A signed webhook gets 503 (Twilio retries it), and changes nothing.
  EXPECT_EQ(Callback(placed, "ringing", 1), 503);
  // Reads go on.
  v1::Call read;
  ASSERT_TRUE(TryGetCall(placed.call_id(), &read).ok());
  EXPECT_EQ(read.status(), v1::CALL_STATUS_INITIATED);
  {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAcmeKey);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListCallsResponse page;
    ASSERT_TRUE(stub_->ListCalls(&ctx, v1::ListCallsRequest(), &page).ok());
    EXPECT_GE(page.calls_size(), 1);
  }
  EXPECT_TRUE(Running(daemon_->pid()));

  // Space returns: the held commit goes through and the daemon takes changes again by itself.
  std::filesystem::remove(disk_ + "/filler");
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::Call call;
        return StartCallWithin("+15005559999", "after", &call, std::chrono::seconds(3)).ok();
      },
      std::chrono::seconds(30), "StartCall to succeed once space returned"));
  EXPECT_EQ(Callback(placed, "ringing", 1), 200);
  ASSERT_TRUE(TryGetCall(placed.call_id(), &read).ok());
  EXPECT_EQ(read.status(), v1::CALL_STATUS_RINGING);
  if (!stalled_key.empty()) {
    // The StartCall whose commit hit the full disk was kept: its key names one call.
    v1::Call first;
    ASSERT_TRUE(
        StartCallWithin("+1500555" + std::to_string(1000 + std::stoi(stalled_key.substr(5))),
                        stalled_key, &first, std::chrono::seconds(10))
            .ok());
    EXPECT_FALSE(first.call_id().empty());
  }
  EXPECT_TRUE(Running(daemon_->pid())) << "callcontrold exited on the full disk";
  const std::string log = ReadFile(dir_.File("daemon.log"));
  EXPECT_NE(log.find("is not writable"), std::string::npos);
  EXPECT_NE(log.find("is writable again"), std::string::npos);
}

}  // namespace
}  // namespace callcontrol::testing
