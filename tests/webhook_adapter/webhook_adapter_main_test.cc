// Runs the real webhook-adapter executable: flags, the port-0 startup line, signed Twilio and
// Telnyx webhooks through to a real gRPC daemon double (which checks the adapter's credential),
// SIGTERM -> exit 0, and startup failures.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "common/config/config.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/telnyx/telnyx_signature.h"
#include "providers/twilio/twilio_signature.h"
#include "tests/testing/fixtures.h"
#include "tests/webhook_adapter/fake_daemon.h"
#include "tests/webhook_adapter/test_support.h"

extern char** environ;

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::ReadFixture;

constexpr char kToken[] = "main-test-auth-token";

// A child process with its stdout and stderr on pipes.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int out[2];
    int err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }

  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
    if (err_ >= 0) close(err_);
  }

  bool started() const { return pid_ > 0; }

  // Reads stdout until a full line arrives or `timeout` passes.
  std::string ReadStdoutLine(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string line;
    while (absl::Now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char c;
      if (read(out_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line.push_back(c);
    }
    return line;
  }

  // Reads stdout until end of file or `timeout`.
  std::string ReadAllStdout(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    std::string text;
    char buf[4096];
    while (absl::Now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = read(out_, buf, sizeof(buf));
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    return text;
  }

  // Waits up to `timeout` for the child to exit; returns its exit code, or -1.
  int Wait(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return -1;
  }

  std::string Stderr() {
    std::string text;
    char buf[4096];
    fcntl(err_, F_SETFL, O_NONBLOCK);
    ssize_t n;
    while ((n = read(err_, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
    return text;
  }

  void Signal(int sig) { kill(pid_, sig); }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  bool exited_ = false;
};

std::string WriteConfig(const std::string& json) {
  char path[] = "/tmp/webhook_adapter_main_test_XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, json.data(), json.size()), static_cast<ssize_t>(json.size()));
  close(fd);
  return path;
}

// A config common/config accepts: the daemon section carries the key the FakeDaemon expects,
// the tenant an API key hash.
std::string ValidConfig(const std::string& daemon_address) {
  return R"({"daemon": {"internal_api_key": ")" + std::string(kFakeDaemonApiKey) + R"("},
            "adapter": {"listen": "127.0.0.1:8080", "public_url": "http://config.example.com",
                        "daemon_address": ")" +
         daemon_address + R"("},
            "tenants": [{"id": "acme", "api_keys": [")" +
         config::HashApiKey("acme-api-key") + R"("], "twilio": {
                "account_sid": "AC00000000000000000000000000000001",
                "auth_token": ")" +
         kToken + R"("}}]})";
}

TEST(WebhookAdapterMainTest, ServesOnPortZeroAndStopsOnSigterm) {
  FakeDaemon daemon;
  ASSERT_TRUE(daemon.started());
  const std::string config = WriteConfig(ValidConfig("127.0.0.1:1"));
  // Flags override the config: listen, public URL and daemon address.
  Child child({WEBHOOK_ADAPTER_BINARY, "--config", config, "--listen", "127.0.0.1:0",
               "--public-url", "https://hooks.example.com", "--daemon", daemon.address(),
               "--io-threads", "2", "--log-level", "warn"});
  ASSERT_TRUE(child.started());
  const std::string line = child.ReadStdoutLine(absl::Seconds(10));
  ASSERT_TRUE(absl::StartsWith(line, "webhook-adapter listening on 127.0.0.1:")) << line;
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(line.substr(line.rfind(':') + 1), &port)) << line;
  ASSERT_GT(port, 0);

  http::HttpClient client;
  const std::string target = "/webhooks/twilio/acme/status?call_id=call_1";
  const std::string body =
      "CallSid=CA00000000000000000000000000000001&CallStatus=in-progress&SequenceNumber=2";
  auto params = http::ParseForm(body);
  ASSERT_TRUE(params.ok());
  http::ClientRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(port) + target;
  request.body = body;
  request.headers = {
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"X-Twilio-Signature",
       twilio::ComputeSignature(kToken, "https://hooks.example.com" + target, *params)}};
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200) << response->body;
  // The fake daemon records only calls that carried daemon.internal_api_key.
  EXPECT_EQ(daemon.service().unauthenticated(), 0);
  const auto requests = daemon.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].call_id(), "call_1");
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_IN_PROGRESS);

  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(absl::Seconds(10)), 0) << child.Stderr();
  std::remove(config.c_str());
}

TEST(WebhookAdapterMainTest, ForwardsASignedTelnyxWebhook) {
  FakeDaemon daemon;
  ASSERT_TRUE(daemon.started());
  const telnyx::KeyPair keys = telnyx::GenerateKeyPair();
  const std::string config =
      WriteConfig(R"({"daemon": {"internal_api_key": ")" + std::string(kFakeDaemonApiKey) + R"("},
          "adapter": {"daemon_address": ")" +
                  daemon.address() + R"("},
          "tenants": [{"id": "beta", "provider": "telnyx", "api_keys": [")" +
                  config::HashApiKey("beta-api-key") + R"("], "telnyx": {
              "api_key": "KEY0123", "connection_id": "1494404757140276705",
              "public_key": ")" +
                  keys.public_key_base64 + R"("}}]})");
  Child child({WEBHOOK_ADAPTER_BINARY, "--config", config, "--listen", "127.0.0.1:0", "--log-level",
               "warn"});
  ASSERT_TRUE(child.started());
  const std::string line = child.ReadStdoutLine(absl::Seconds(10));
  int port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(line.substr(line.rfind(':') + 1), &port)) << line;

  nlohmann::json event = nlohmann::json::parse(ReadFixture("telnyx_call_hangup.json"));
  event["data"]["payload"]["client_state"] = absl::Base64Escape("call_2");
  const std::string body = event.dump();
  const std::string timestamp = std::to_string(absl::ToUnixSeconds(absl::Now()));
  auto signature = telnyx::SignWebhook(keys.private_key_base64, timestamp, body);
  ASSERT_TRUE(signature.ok()) << signature.status();
  http::ClientRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/webhooks/telnyx/beta";
  request.body = body;
  request.headers = {{"Content-Type", "application/json"},
                     {"telnyx-timestamp", timestamp},
                     {"telnyx-signature-ed25519", *signature}};
  auto response = http::HttpClient().Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200) << response->body;
  const auto requests = daemon.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].provider(), v1::PROVIDER_TELNYX);
  EXPECT_EQ(requests[0].call_id(), "call_2");
  EXPECT_EQ(requests[0].provider_status(), "call.hangup:call_rejected");

  child.Signal(SIGTERM);
  EXPECT_EQ(child.Wait(absl::Seconds(10)), 0) << child.Stderr();
  std::remove(config.c_str());
}

TEST(WebhookAdapterMainTest, SigintAlsoStopsCleanly) {
  const std::string config = WriteConfig(ValidConfig("127.0.0.1:1"));
  Child child({WEBHOOK_ADAPTER_BINARY, "--config", config, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(child.started());
  ASSERT_TRUE(
      absl::StartsWith(child.ReadStdoutLine(absl::Seconds(10)), "webhook-adapter listening"));
  child.Signal(SIGINT);
  EXPECT_EQ(child.Wait(absl::Seconds(10)), 0) << child.Stderr();
  std::remove(config.c_str());
}

TEST(WebhookAdapterMainTest, BadConfigFailsWithOneLine) {
  const std::string config = WriteConfig(R"({"tenants": [], "bogus": 1})");
  Child child({WEBHOOK_ADAPTER_BINARY, "--config", config, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(child.started());
  const int code = child.Wait(absl::Seconds(10));
  EXPECT_NE(code, 0);
  EXPECT_NE(code, -1);
  const std::string err = child.Stderr();
  EXPECT_TRUE(absl::StartsWith(err, "webhook-adapter: ")) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  std::remove(config.c_str());
}

TEST(WebhookAdapterMainTest, UnbindableListenAddressFails) {
  const std::string config = WriteConfig(ValidConfig("127.0.0.1:1"));
  Child child({WEBHOOK_ADAPTER_BINARY, "--config", config, "--listen", "203.0.113.1:0"});
  ASSERT_TRUE(child.started());
  const int code = child.Wait(absl::Seconds(10));
  EXPECT_NE(code, 0);
  EXPECT_NE(code, -1);
  EXPECT_THAT(child.Stderr(), ::testing::HasSubstr("cannot listen"));
  std::remove(config.c_str());
}

TEST(WebhookAdapterMainTest, HelpListsTheFlags) {
  Child child({WEBHOOK_ADAPTER_BINARY, "--help"});
  ASSERT_TRUE(child.started());
  const std::string help = child.ReadAllStdout(absl::Seconds(5));
  EXPECT_EQ(child.Wait(absl::Seconds(5)), 0);
  for (const char* flag :
       {"--config", "--listen", "--public-url", "--daemon", "--io-threads", "--log-level"}) {
    EXPECT_THAT(help, ::testing::HasSubstr(flag));
  }
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
