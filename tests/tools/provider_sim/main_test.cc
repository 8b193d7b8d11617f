// The provider-sim executable: prints its bound port, serves, and exits 0 on SIGTERM.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "common/http/http_client.h"
#include "gtest/gtest.h"

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
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
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

}  // namespace
}  // namespace callcontrol::provider_sim::testing
