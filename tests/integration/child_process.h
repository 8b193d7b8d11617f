// Runs one of the project's executables as a real child process for integration tests: stdout
// is read line by line (servers print "... listening on ..." there), stderr goes to a log file.
// The destructor kills the child (SIGKILL) if it still runs.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace callcontrol::testing {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] is the executable path). Returns kInternal if it cannot be spawned.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                             const std::string& stderr_path);
  ~ChildProcess();

  // Waits until a stdout line contains `needle` and returns that line; kDeadlineExceeded after
  // `timeout`, kUnavailable if the child exited first.
  absl::StatusOr<std::string> WaitForLine(const std::string& needle, absl::Duration timeout);

  // Sends `signal` and waits for the exit; returns the exit status as waitpid reports it.
  int Stop(int signal);

  pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;
  void ReadStdout(int fd);

  pid_t pid_ = -1;
  bool exited_ = false;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
  bool eof_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close), the way
// gRPC's own tests pick ports), never the same port twice in one process.
int PickUnusedPort();

}  // namespace callcontrol::testing
