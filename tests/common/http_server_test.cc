// The shared HTTP server's connection limits (common/http/http_server.h), driven over raw loopback
// sockets so a test controls exactly what a client sends and when: max_connections (503 and
// close), request_timeout against silent and slow clients, idle_timeout between keep-alive
// requests, max_header_bytes (431), max_body_bytes (413), and the accept back-off when the
// process is out of file descriptors (in a forked child with a low RLIMIT_NOFILE).
#include "common/http/http_server.h"
#include "common/logging.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait.h"

namespace callcontrol::http {
namespace {

using namespace std::chrono_literals;
using ::callcontrol::testing::StatusIs;
using ::callcontrol::testing::WaitFor;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kGet = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

struct RawResponse {
  int status = 0;
  std::string head;  // status line and header fields
  std::string body;
};

// One client connection to 127.0.0.1:port on a plain socket. Every read waits with a deadline.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 &&
                 ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  // Bytes received and not yet consumed by ReadResponse.
  const std::string& unread() const { return buffer_; }

  // False if the connection is gone.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (head, and a Content-Length body) within `timeout`; nullopt if the
  // connection closed or the time ran out first.
  std::optional<RawResponse> ReadResponse(std::chrono::milliseconds timeout = 2000ms) {
    const auto deadline = Clock::now() + timeout;
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(deadline)) return std::nullopt;
    }
    RawResponse response;
    response.head = buffer_.substr(0, head_end);
    if (!absl::SimpleAtoi(response.head.substr(9, 3), &response.status)) return std::nullopt;
    size_t length = 0;
    std::istringstream lines(response.head);
    for (std::string line; std::getline(lines, line);) {
      if (absl::StartsWithIgnoreCase(line, "content-length:")) {
        std::string value(absl::StripAsciiWhitespace(line.substr(15)));
        if (!absl::SimpleAtoi(value, &length)) return std::nullopt;
      }
    }
    while (buffer_.size() < head_end + 4 + length) {
      if (!ReadMore(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    return response;
  }

  // Waits up to `timeout` for the server to close the connection (EOF or reset), keeping what
  // it sends meanwhile in unread(). True if it closed.
  bool WaitForClose(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (ReadMore(deadline)) {
    }
    return closed_;
  }

 private:
  // Appends the next bytes to buffer_. False on EOF or error (then closed_) or at `deadline`.
  bool ReadMore(Clock::time_point deadline) {
    if (closed_) return false;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left < 0ms) return false;
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()) + 1);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) return false;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        closed_ = true;
        return false;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server on an ephemeral port that answers every request 200 "ok <path>".
  void StartServer(HttpServer::Options options) {
    options.listen = "127.0.0.1:0";
    auto server = HttpServer::Start(options, [](Request&& request, Responder respond) {
      Response response;
      response.body = "ok " + request.path + "\n";
      respond(std::move(response));
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::unique_ptr<RawClient> Connect() {
    auto client = std::make_unique<RawClient>(server_->port());
    EXPECT_TRUE(client->connected());
    return client;
  }

  // Sends GET /ping on `client` and expects 200.
  void ExpectServed(RawClient& client) {
    ASSERT_TRUE(client.Send(kGet));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << "no response";
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "ok /ping\n");
  }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, DefaultLimitsAreTheDocumentedOnes) {
  const HttpServer::Options options;
  EXPECT_EQ(options.max_connections, 1024u);
  EXPECT_EQ(options.max_header_bytes, 16u * 1024);
  EXPECT_EQ(options.max_body_bytes, 64u * 1024);
  EXPECT_EQ(options.request_timeout, 10s);
  EXPECT_EQ(options.idle_timeout, 30s);
}

TEST_F(HttpServerTest, RefusesLimitsOutOfRange) {
  auto start = [](auto change) {
    HttpServer::Options options;
    options.listen = "127.0.0.1:0";
    change(options);
    return HttpServer::Start(options, [](Request&&, Responder respond) { respond({}); }).status();
  };
  EXPECT_THAT(start([](auto& o) { o.max_connections = 0; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(start([](auto& o) { o.max_header_bytes = 0; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(start([](auto& o) { o.request_timeout = 0ms; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(start([](auto& o) { o.idle_timeout = 0s; }),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(HttpServerTest, ConnectionsBeyondMaxConnectionsGet503AndAreClosed) {
  constexpr size_t kMax = 4;
  HttpServer::Options options;
  options.max_connections = kMax;
  ASSERT_NO_FATAL_FAILURE(StartServer(options));

  // kMax + 2 idle clients, connected one after the other, so the server accepts them in order.
  std::vector<std::unique_ptr<RawClient>> clients;
  for (size_t i = 0; i < kMax + 2; ++i) clients.push_back(Connect());
  ASSERT_TRUE(WaitFor([&] { return server_->rejected_connections() == 2; }, 3000ms,
                      "the two connections beyond max_connections to be refused"));
  EXPECT_EQ(server_->open_connections(), kMax);

  for (size_t i = kMax; i < kMax + 2; ++i) {
    auto response = clients[i]->ReadResponse();
    ASSERT_TRUE(response.has_value()) << "client " << i << " got no 503";
    EXPECT_EQ(response->status, 503);
    EXPECT_EQ(response->body, "too many connections\n");
    EXPECT_THAT(response->head, HasSubstr("Connection: close"));
    EXPECT_TRUE(clients[i]->WaitForClose(2000ms)) << "client " << i;
  }
  // The connections within the limit are served.
  ASSERT_NO_FATAL_FAILURE(ExpectServed(*clients[0]));

  // A closed connection frees its slot for a new one.
  clients[1].reset();
  ASSERT_TRUE(WaitFor([&] { return server_->open_connections() == kMax - 1; }, 3000ms,
                      "the server to see the client close"));
  auto fresh = Connect();
  ASSERT_NO_FATAL_FAILURE(ExpectServed(*fresh));
  EXPECT_EQ(server_->open_connections(), kMax);
  EXPECT_EQ(server_->rejected_connections(), 2u);
}

TEST_F(HttpServerTest, SilentNewConnectionIsClosedAfterRequestTimeout) {
  HttpServer::Options options;
  options.request_timeout = 300ms;
  ASSERT_NO_FATAL_FAILURE(StartServer(options));

  auto client = Connect();
  ASSERT_TRUE(WaitFor([&] { return server_->open_connections() == 1; }, 3000ms, "the accept"));
  EXPECT_TRUE(client->WaitForClose(3000ms)) << "a connection that sends nothing stays open";
  EXPECT_EQ(client->unread(), "") << "closed without a response";
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }, 3000ms, "the close"));
}

TEST_F(HttpServerTest, HalfARequestHeadIsClosedAfterRequestTimeout) {
  HttpServer::Options options;
  options.request_timeout = 300ms;
  ASSERT_NO_FATAL_FAILURE(StartServer(options));

  auto client = Connect();
  const auto sent = Clock::now();
  ASSERT_TRUE(client->Send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  EXPECT_TRUE(client->WaitForClose(3000ms)) << "a half-sent request head stays open";
  // Not closed at once (for a parse error, say): after the timeout, counted from the accept.
  EXPECT_GE(Clock::now() - sent, 200ms);
  EXPECT_EQ(client->unread(), "") << "closed without a response";
  EXPECT_TRUE(WaitFor([&] { return server_->open_connections() == 0; }, 3000ms, "the close"));
}

TEST_F(HttpServerTest, TricklingClientIsClosedAfterRequestTimeout) {
  HttpServer::Options options;
  options.request_timeout = 300ms;
  ASSERT_NO_FATAL_FAILURE(StartServer(options));

  // One byte of a never-ending head every 50 ms: each byte arrives well within the timeout, the
  // request never does.
  auto client = Connect();
  const auto start = Clock::now();
  bool closed = false;
  ASSERT_TRUE(client->Send("GET /ping HTTP/1.1\r\nX-Slow: "));
  while (!closed && Clock::now() - start < 3000ms) {
    closed = !client->Send("a") || client->WaitForClose(50ms);
  }
  EXPECT_TRUE(closed || client->WaitForClose(1000ms)) << "a trickling client stays open";
  EXPECT_LT(Clock::now() - start, 2000ms);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeoutNotRequestTimeout) {
  HttpServer::Options options;
  options.request_timeout = 200ms;
  options.idle_timeout = 1s;
  ASSERT_NO_FATAL_FAILURE(StartServer(options));

  auto client = Connect();
  ASSERT_NO_FATAL_FAILURE(ExpectServed(*client));
  // Idle between requests for three request timeouts: still open, and serves the next request.
  EXPECT_FALSE(client->WaitForClose(600ms)) << "closed by request_timeout while idle";
  ASSERT_NO_FATAL_FAILURE(ExpectServed(*client));
  // Then closed once idle for idle_timeout.
  const auto served = Clock::now();
  EXPECT_TRUE(client->WaitForClose(3000ms)) << "an idle keep-alive connection stays open";
  EXPECT_GE(Clock::now() - served, 800ms);
}

TEST_F(HttpServerTest, HeadOverMaxHeaderBytesGets431) {
  HttpServer::Options options;
  options.max_header_bytes = 1024;
  ASSERT_NO_FATAL_FAILURE(StartServer(options));

  auto within = Connect();
  ASSERT_TRUE(within->Send(
      "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(512, 'a') + "\r\n\r\n"));
  auto ok = within->ReadResponse();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);

  auto over = Connect();
  ASSERT_TRUE(over->Send("GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " +
                         std::string(2048, 'a') + "\r\n\r\n"));
  auto refused = over->ReadResponse();
  ASSERT_TRUE(refused.has_value()) << "no response to an oversized head";
  EXPECT_EQ(refused->status, 431);
  EXPECT_THAT(refused->head, HasSubstr("Connection: close"));
  EXPECT_TRUE(over->WaitForClose(3000ms));
}

TEST_F(HttpServerTest, BodyOverMaxBodyBytesGets413) {
  HttpServer::Options options;
  options.max_body_bytes = 1024;
  ASSERT_NO_FATAL_FAILURE(StartServer(options));

  auto client = Connect();
  ASSERT_TRUE(
      client->Send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4096\r\n\r\n" +
                   std::string(4096, 'b')));
  auto refused = client->ReadResponse();
  ASSERT_TRUE(refused.has_value()) << "no response to an oversized body";
  EXPECT_EQ(refused->status, 413);
  EXPECT_TRUE(client->WaitForClose(3000ms));
}

// --- Out of file descriptors (EMFILE) ---------------------------------------------------------

// Descriptors the child leaves itself for connections: the keep-alive client and a few idle ones.
constexpr int kSpareDescriptors = 8;

int HighestOpenDescriptor() {
  int highest = 2;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 1024;
  while (const dirent* entry = ::readdir(dir)) {
    int fd = 0;
    if (absl::SimpleAtoi(entry->d_name, &fd) && fd != ::dirfd(dir)) highest = std::max(highest, fd);
  }
  ::closedir(dir);
  return highest;
}

// The forked child: a server whose every answer is "<accept_errors> <open_connections>", in a
// process allowed only kSpareDescriptors more descriptors. Reports its port on `report_fd` and
// serves until `control_fd` reads EOF (the test is done, or died) or 20 s pass. Never returns.
[[noreturn]] void RunDescriptorLimitedServer(int report_fd, int control_fd) {
  std::atomic<HttpServer*> server{nullptr};
  HttpServer::Options options;
  options.listen = "127.0.0.1:0";
  options.request_timeout = 20s;  // idle clients stay for the whole test
  auto started = HttpServer::Start(options, [&server](Request&&, Responder respond) {
    HttpServer* s = server.load();
    Response response;
    response.body =
        std::to_string(s->accept_errors()) + " " + std::to_string(s->open_connections()) + "\n";
    respond(std::move(response));
  });
  if (!started.ok()) ::_exit(2);
  server.store(started->get());
  const int port = (*started)->port();
  // The server logs its accept failures; a message with arguments goes through that logger here,
  // at a level that is on, while descriptors are free: UBSan's vptr check of a type it has not
  // seen yet (spdlog's sink and fmt's buffer) tests the memory through a pipe, which at EMFILE it
  // cannot open, and it then reports a valid object as having an invalid vptr.
  logging::Get("http")->info("descriptor-limited server listening on port {}", port);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(3);
  limit.rlim_cur = static_cast<rlim_t>(HighestOpenDescriptor() + 1 + kSpareDescriptors);
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(3);
  if (::write(report_fd, &port, sizeof(port)) != static_cast<ssize_t>(sizeof(port))) ::_exit(4);
  pollfd p{.fd = control_fd, .events = POLLIN, .revents = 0};
  ::poll(&p, 1, 20'000);
  (*started)->Shutdown(std::chrono::milliseconds(0));
  ::_exit(0);
}

struct Counters {
  uint64_t accept_errors = 0;
  size_t open_connections = 0;
};

// Asks the child's server for its counters on `client`; nullopt if it does not answer in 1 s.
std::optional<Counters> Ask(RawClient& client) {
  if (!client.Send(kGet)) return std::nullopt;
  auto response = client.ReadResponse(1000ms);
  if (!response.has_value() || response->status != 200) return std::nullopt;
  Counters counters;
  std::istringstream in(response->body);
  if (!(in >> counters.accept_errors >> counters.open_connections)) return std::nullopt;
  return counters;
}

// Forks the child before any thread exists in this process (HttpServerTest's servers join
// theirs), and ends it when destroyed: closes the control pipe, then SIGKILLs it if it has not
// exited within 5 s.
class DescriptorLimitedChild {
 public:
  DescriptorLimitedChild() {
    int report[2];
    int control[2];
    if (::pipe2(report, O_CLOEXEC) != 0 || ::pipe2(control, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      // Keep only stdio and the two pipe ends, as descriptors 3 and 4, so the server's
      // descriptors follow with no gaps and the limit leaves exactly kSpareDescriptors free.
      const int report_end = ::fcntl(report[1], F_DUPFD_CLOEXEC, 100);
      const int control_end = ::fcntl(control[0], F_DUPFD_CLOEXEC, 100);
      if (report_end < 0 || control_end < 0 || ::dup2(report_end, 3) != 3 ||
          ::dup2(control_end, 4) != 4 || ::close_range(5, ~0U, 0) != 0) {
        ::_exit(5);
      }
      RunDescriptorLimitedServer(3, 4);
    }
    ::close(report[1]);
    ::close(control[0]);
    control_fd_ = control[1];
    if (pid_ < 0) {
      ::close(report[0]);
      return;
    }
    pollfd p{.fd = report[0], .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 5000) == 1 && ::read(report[0], &port_, sizeof(port_)) != sizeof(port_)) {
      port_ = 0;
    }
    ::close(report[0]);
  }
  ~DescriptorLimitedChild() { Stop(); }

  int port() const { return port_; }

  // Ends the child; its exit status as waitpid reports it, or -1.
  int Stop() {
    if (control_fd_ >= 0) ::close(control_fd_);
    control_fd_ = -1;
    if (pid_ <= 0) return -1;
    int status = -1;
    const bool exited = static_cast<bool>(WaitFor(
        [&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, 5000ms, "the child to exit"));
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int control_fd_ = -1;
  int port_ = 0;
};

TEST(HttpServerDescriptorLimitTest, AcceptFailuresBackOffWhileOpenConnectionsAreServed) {
  DescriptorLimitedChild child;
  ASSERT_NE(child.port(), 0) << "the child server did not start";

  RawClient keep_alive(child.port());
  ASSERT_TRUE(keep_alive.connected());
  auto counters = Ask(keep_alive);
  ASSERT_TRUE(counters.has_value());
  EXPECT_EQ(counters->accept_errors, 0u);

  // More idle clients than the child has descriptors: the kernel completes their handshakes, the
  // server accepts until accept() fails with EMFILE.
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 4 * kSpareDescriptors; ++i) {
    idle.push_back(std::make_unique<RawClient>(child.port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        counters = Ask(keep_alive);
        return counters.has_value() && counters->accept_errors > 0;
      },
      3000ms, "accept() to fail for want of descriptors"));
  EXPECT_LE(counters->open_connections, static_cast<size_t>(kSpareDescriptors));

  // For a second at EMFILE, the keep-alive connection is answered every 20 ms, and accept() is
  // retried only as the back-off allows (10 ms doubling: 7 tries in the first second). A server
  // that retries at once makes hundreds of thousands of tries, and log lines, a second.
  const uint64_t errors_before = counters->accept_errors;
  const auto start = Clock::now();
  int answered = 0;
  while (Clock::now() - start < 1000ms) {
    counters = Ask(keep_alive);
    ASSERT_TRUE(counters.has_value()) << "the open connection is not served at EMFILE";
    ++answered;
    ASSERT_FALSE(keep_alive.WaitForClose(20ms)) << "the open connection was closed at EMFILE";
  }
  EXPECT_GE(answered, 10);
  EXPECT_LE(counters->accept_errors - errors_before, 12u);

  // Once descriptors free up, the next retry (at most 1 s away) accepts again.
  idle.clear();
  RawClient fresh(child.port());
  ASSERT_TRUE(fresh.connected());
  ASSERT_TRUE(fresh.Send(kGet));
  auto response = fresh.ReadResponse(4000ms);
  ASSERT_TRUE(response.has_value()) << "no connection accepted after descriptors freed up";
  EXPECT_EQ(response->status, 200);

  const int status = child.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

}  // namespace
}  // namespace callcontrol::http
