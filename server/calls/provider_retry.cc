#include "server/calls/provider_retry.h"

#include <memory>
#include <utility>

#include "common/logging.h"

namespace callcontrol::calls {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("calls");
  return logger;
}

struct Retry {
  Executor* workers;
  Timers* timers;
  int attempts;
  std::function<absl::Status()> attempt;
  std::function<void(absl::Status)> done;
};

void RunAttempt(std::shared_ptr<Retry> retry, int number, absl::Duration backoff) {
  retry->workers->Post([retry, number, backoff] {
    absl::Status status = retry->attempt();
    if (!absl::IsUnavailable(status) || number >= retry->attempts) {
      return retry->done(std::move(status));
    }
    Logger()->info("provider request failed transiently (attempt {} of {}): {}", number,
                   retry->attempts, status.message());
    retry->timers->RunAfter(backoff, [retry, number, backoff](absl::Status fired) {
      if (!fired.ok()) return retry->done(std::move(fired));
      RunAttempt(retry, number + 1, backoff * 2);
    });
  });
}

}  // namespace

void RunWithRetries(Executor* workers, Timers* timers, const RetryPolicy& policy,
                    std::function<absl::Status()> attempt, std::function<void(absl::Status)> done) {
  RunAttempt(std::make_shared<Retry>(Retry{workers, timers, std::max(1, policy.attempts),
                                           std::move(attempt), std::move(done)}),
             1, policy.backoff);
}

}  // namespace callcontrol::calls
