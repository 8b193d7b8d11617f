// The provider-sim executable: prints its bound port and Telnyx public key, serves, handles the
// Telnyx key files and exits 0 on SIGTERM.
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "common/http/http_client.h"
#include "gtest/gtest.h"
#include "providers/telnyx/telnyx_signature.h"
#include "tests/testing/wait.h"

namespace callcontrol::provider_sim::testing {
namespace {

// Reads one line from `fd`, waiting at most `timeout`.
std::string ReadLine(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char c;
    if (read(fd, &c, 1) != 1) break;
    if (c == '\n') return line;
    line.push_back(c);
  }
  return line;
}

// Waits for `pid` to exit; returns its wait status, or -1 after `timeout`.
int WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  int status = -1;
  if (!::callcontrol::testing::WaitFor([&] { return waitpid(pid, &status, WNOHANG) == pid; },
                                       timeout, "the simulator to exit")) {
    return -1;
  }
  return status;
}

TEST(ProviderSimMainTest, PrintsTheBoundPortServesAndStopsOnSigterm) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(PROVIDER_SIM_BINARY, PROVIDER_SIM_BINARY, "--listen", "127.0.0.1:0", "--time-scale",
          "0.05", "--log-level", "warn", "--twilio-account",
          "AC0123456789abcdef0123456789abcdef:tok", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  const std::string line = ReadLine(out[0], std::chrono::seconds(10));
  close(out[0]);
  std::smatch match;
  const std::regex pattern("provider-sim listening on 127\\.0\\.0\\.1:([0-9]+)");
  const bool matched = std::regex_match(line, match, pattern);
  EXPECT_TRUE(matched) << "stdout line: " << line;
  if (matched) {
    http::HttpClient client;
    http::ClientRequest request;
    request.url = "http://127.0.0.1:" + match[1].str() + "/healthz";
    auto response = client.Send(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    // The configured account replaces the default one.
    request.url = "http://127.0.0.1:" + match[1].str() +
                  "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls/CA1.json";
    request.basic_user = "AC0123456789abcdef0123456789abcdef";
    request.basic_password = "tok";
    response = client.Send(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 404);
  }
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  const int status = WaitExit(pid, std::chrono::seconds(10));
  if (status == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    FAIL() << "provider-sim did not exit after SIGTERM";
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ProviderSimMainTest, RejectsABadAccountFlag) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(PROVIDER_SIM_BINARY, PROVIDER_SIM_BINARY, "--listen", "127.0.0.1:0", "--twilio-account",
          "not-a-sid", "--log-level", "off", static_cast<char*>(nullptr));
    _exit(127);
  }
  const int status = WaitExit(pid, std::chrono::seconds(10));
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

// Runs provider-sim with the Telnyx flags, returns the public key it printed and the HTTP
// status of GET /v2/calls/v3:x with `bearer` (401 for a wrong key, 404 for an accepted one).
struct TelnyxRun {
  std::string printed_key;
  long status_with_custom_key = 0;
  long status_with_default_key = 0;
};

TelnyxRun RunWithTelnyxFlags(const std::string& private_key_file,
                             const std::string& public_key_out) {
  TelnyxRun run;
  int out[2];
  if (pipe(out) != 0) return run;
  const pid_t pid = fork();
  if (pid < 0) return run;
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(PROVIDER_SIM_BINARY, PROVIDER_SIM_BINARY, "--listen", "127.0.0.1:0", "--log-level",
          "warn", "--telnyx-api-key", "KEYcustom", "--telnyx-private-key-file",
          private_key_file.c_str(), "--telnyx-public-key-out", public_key_out.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  const std::string listening = ReadLine(out[0], std::chrono::seconds(10));
  const std::string key_line = ReadLine(out[0], std::chrono::seconds(10));
  close(out[0]);
  std::smatch match;
  const std::regex key_pattern("provider-sim telnyx public key: ([A-Za-z0-9+/=]{44})");
  if (std::regex_match(key_line, match, key_pattern)) run.printed_key = match[1].str();
  const std::regex port_pattern("provider-sim listening on 127\\.0\\.0\\.1:([0-9]+)");
  if (std::regex_match(listening, match, port_pattern)) {
    http::HttpClient client;
    http::ClientRequest request;
    request.url = "http://127.0.0.1:" + match[1].str() + "/v2/calls/v3:x";
    request.headers = {{"Authorization", "Bearer KEYcustom"}};
    if (auto r = client.Send(request); r.ok()) run.status_with_custom_key = r->status;
    request.headers = {{"Authorization", "Bearer KEYsim0000000000000000000000000001"}};
    if (auto r = client.Send(request); r.ok()) run.status_with_default_key = r->status;
  }
  kill(pid, SIGTERM);
  if (WaitExit(pid, std::chrono::seconds(10)) == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  return run;
}

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(ProviderSimMainTest, TelnyxKeyFilesAndApiKeyFlag) {
  char dir[] = "/tmp/provider_sim_main_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string private_key_file = std::string(dir) + "/telnyx.key";
  const std::string public_key_out = std::string(dir) + "/telnyx.pub";

  const TelnyxRun first = RunWithTelnyxFlags(private_key_file, public_key_out);
  ASSERT_FALSE(first.printed_key.empty());
  EXPECT_EQ(first.status_with_custom_key, 404);   // authenticated; no such call
  EXPECT_EQ(first.status_with_default_key, 401);  // --telnyx-api-key replaced the default
  struct stat st;
  ASSERT_EQ(stat(private_key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(FirstLine(public_key_out), first.printed_key);
  auto derived = telnyx::PublicKeyOf(FirstLine(private_key_file));
  ASSERT_TRUE(derived.ok()) << derived.status();
  EXPECT_EQ(*derived, first.printed_key);

  // A second start loads the same key.
  const TelnyxRun second = RunWithTelnyxFlags(private_key_file, public_key_out);
  EXPECT_EQ(second.printed_key, first.printed_key);

  std::remove(private_key_file.c_str());
  std::remove(public_key_out.c_str());
  rmdir(dir);
}

// GET /v1/Accounts/<account>/Calls/x.json with Basic key:token against a provider-sim started
// with two --exotel-account flags: 404 when authenticated (no such call), 401 otherwise.
TEST(ProviderSimMainTest, ExotelAccountFlagsReplaceTheDefault) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(PROVIDER_SIM_BINARY, PROVIDER_SIM_BINARY, "--listen", "127.0.0.1:0", "--log-level",
          "warn", "--exotel-account", "acme:k1:t1", "--exotel-account", "beta:k2:t2",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  const std::string line = ReadLine(out[0], std::chrono::seconds(10));
  close(out[0]);
  std::smatch match;
  const std::regex pattern("provider-sim listening on 127\\.0\\.0\\.1:([0-9]+)");
  const bool matched = std::regex_match(line, match, pattern);
  EXPECT_TRUE(matched) << "stdout line: " << line;
  if (matched) {
    http::HttpClient client;
    auto status = [&](const std::string& account, const std::string& key,
                      const std::string& token) -> long {
      http::ClientRequest request;
      request.url = "http://127.0.0.1:" + match[1].str() + "/v1/Accounts/" + account +
                    "/Calls/0123456789abcdef0123456789abcdef.json";
      request.basic_user = key;
      request.basic_password = token;
      auto response = client.Send(request);
      return response.ok() ? response->status : -1;
    };
    EXPECT_EQ(status("acme", "k1", "t1"), 404);
    EXPECT_EQ(status("beta", "k2", "t2"), 404);
    EXPECT_EQ(status("acme", "k2", "t2"), 401);
    EXPECT_EQ(status("exotelsim1", "simkey", "simtoken"), 401);
  }
  kill(pid, SIGTERM);
  const int exit_status = WaitExit(pid, std::chrono::seconds(10));
  if (exit_status == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    FAIL() << "provider-sim did not exit after SIGTERM";
  }

  // A malformed account is refused with exit status 2.
  const pid_t bad = fork();
  ASSERT_GE(bad, 0);
  if (bad == 0) {
    execl(PROVIDER_SIM_BINARY, PROVIDER_SIM_BINARY, "--listen", "127.0.0.1:0", "--exotel-account",
          "acme:k1", "--log-level", "off", static_cast<char*>(nullptr));
    _exit(127);
  }
  const int bad_status = WaitExit(bad, std::chrono::seconds(10));
  ASSERT_NE(bad_status, -1);
  ASSERT_TRUE(WIFEXITED(bad_status));
  EXPECT_EQ(WEXITSTATUS(bad_status), 2);
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
