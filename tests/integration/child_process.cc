#include "tests/integration/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <set>

extern char** environ;

namespace callcontrol::testing {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& stderr_path) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  const int rc =
      posix_spawn(&child->pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    return absl::InternalError("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  child->reader_ = std::thread([c = child.get(), fd = out[0]] { c->ReadStdout(fd); });
  return child;
}

void ChildProcess::ReadStdout(int fd) {
  std::string partial;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    partial.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      std::lock_guard lock(mu_);
      lines_.push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
      cv_.notify_all();
    }
  }
  close(fd);
  std::lock_guard lock(mu_);
  eof_ = true;
  cv_.notify_all();
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(const std::string& needle,
                                                      absl::Duration timeout) {
  std::unique_lock lock(mu_);
  size_t checked = 0;
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  for (;;) {
    for (; checked < lines_.size(); ++checked) {
      if (lines_[checked].find(needle) != std::string::npos) return lines_[checked];
    }
    if (eof_) return absl::UnavailableError("process exited before printing \"" + needle + "\"");
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return absl::DeadlineExceededError("no line with \"" + needle + "\"");
    }
  }
}

int ChildProcess::Stop(int signal) {
  if (exited_) return 0;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  exited_ = true;
  if (reader_.joinable()) reader_.join();
  return status;
}

ChildProcess::~ChildProcess() {
  if (!exited_) Stop(SIGKILL);
  if (reader_.joinable()) reader_.join();
}

int PickUnusedPort() {
  // The kernel may hand out the port it just gave back (one test's daemon metrics port and its
  // adapter port once came out equal): never return a port twice in one process.
  static std::mutex mu;
  static std::set<int> given;
  std::lock_guard lock(mu);
  for (;;) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    const int port = ntohs(addr.sin_port);
    if (given.insert(port).second) return port;
  }
}

}  // namespace callcontrol::testing
