#include "client/event_watcher.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/call_format.h"
#include "client/request_builders.h"
#include "common/status_macros.h"
#include "grpcpp/support/sync_stream.h"

namespace callcontrol::client {

void WatchStop::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  if (context_ != nullptr) {
    context_->TryCancel();
  }
}

bool WatchStop::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

bool WatchStop::Attach(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  if (stopped_) {
    return false;
  }
  context_ = context;
  return true;
}

void WatchStop::Detach() {
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
}

bool WatchStop::WaitFor(absl::Duration timeout) {
  bool stopped = mu_.LockWhenWithTimeout(absl::Condition(&stopped_), timeout);
  mu_.Unlock();
  return stopped;
}

namespace {

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

bool IsRetryable(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::OK:  // the server ended an endless stream: it is going away
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:  // only reached when our own WatchStop did not cancel
      return true;
    default:
      return false;
  }
}

// What one event means for the watch.
enum class Outcome { kContinue, kDone };

class Watcher {
 public:
  Watcher(const WatchOptions& options, std::ostream& out) : options_(options), out_(out) {
    last_sequence_ = options.since_sequence;
  }

  // Prints `event` unless already seen or filtered out. Returns kDone when the watch is over.
  absl::StatusOr<Outcome> Handle(const v1::Event& event) {
    if (last_sequence_.has_value() && event.sequence() <= *last_sequence_) {
      return Outcome::kContinue;  // a replay of something already seen
    }
    last_sequence_ = event.sequence();
    if (!options_.call_id.empty() &&
        !(event.has_call() && CallMatchesId(event.call(), options_.call_id))) {
      return Outcome::kContinue;
    }
    if (options_.json) {
      ASSIGN_OR_RETURN(std::string line, ToJsonLine(event));
      out_ << line << '\n';
    } else {
      out_ << FormatEventLine(event) << '\n';
    }
    out_.flush();
    ++printed_;
    if (options_.until_terminal && event.has_call() && IsTerminal(event.call().status())) {
      return Outcome::kDone;
    }
    if (options_.max_events > 0 && printed_ >= options_.max_events) {
      return Outcome::kDone;
    }
    return Outcome::kContinue;
  }

  const std::optional<int64_t>& last_sequence() const { return last_sequence_; }
  int64_t printed() const { return printed_; }

 private:
  const WatchOptions& options_;
  std::ostream& out_;
  std::optional<int64_t> last_sequence_;
  int64_t printed_ = 0;
};

}  // namespace

absl::StatusOr<WatchResult> WatchEvents(v1::CallControlService::StubInterface& stub,
                                        const WatchOptions& options, std::ostream& out,
                                        std::ostream& err, WatchStop* stop) {
  if (options.until_terminal && options.call_id.empty()) {
    return absl::InvalidArgumentError("--until-terminal requires --call CALL_ID");
  }
  if (options.max_events < 0) {
    return absl::InvalidArgumentError("--max-events must not be negative");
  }
  RETURN_IF_ERROR(BuildStreamEventsRequest(options.since_sequence).status());

  WatchResult result;
  if (options.until_terminal) {
    // A call that already ended sends no more events: say so instead of waiting forever.
    v1::GetCallRequest get;
    get.set_call_id(options.call_id);
    v1::GetCallResponse got;
    grpc::ClientContext context;
    for (const auto& [key, value] : options.metadata) {
      context.AddMetadata(key, value);
    }
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    // Errors (NOT_FOUND: the call may not be recorded yet) fall through to the stream.
    if (stub.GetCall(&context, get, &got).ok() && IsTerminal(got.call().status())) {
      err << "callctl: call " << options.call_id
          << " already ended: " << StatusWord(got.call().status()) << '\n';
      err.flush();
      return result;
    }
  }
  Watcher watcher(options, out);
  absl::Duration backoff = options.initial_backoff;
  constexpr int kMaxExhaustedInARow = 3;
  int exhausted_in_a_row = 0;
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) {
      ++result.reconnects;
    }
    ASSIGN_OR_RETURN(v1::StreamEventsRequest request,
                     BuildStreamEventsRequest(watcher.last_sequence()));
    grpc::ClientContext context;
    for (const auto& [key, value] : options.metadata) {
      context.AddMetadata(key, value);
    }
    if (stop != nullptr && !stop->Attach(&context)) {
      break;
    }
    std::unique_ptr<grpc::ClientReaderInterface<v1::StreamEventsResponse>> reader =
        stub.StreamEvents(&context, request);
    v1::StreamEventsResponse response;
    bool delivered = false;
    bool done = false;
    absl::Status handle_error;
    while (!done && reader->Read(&response)) {
      // One message may batch several events (a subscriber that fell behind).
      for (const v1::Event& event : response.events()) {
        delivered = true;
        absl::StatusOr<Outcome> outcome = watcher.Handle(event);
        if (!outcome.ok() || *outcome == Outcome::kDone) {
          handle_error = outcome.status();
          done = true;
          context.TryCancel();  // Finish() below then returns at once
          break;
        }
      }
    }
    grpc::Status status = reader->Finish();
    if (stop != nullptr) {
      stop->Detach();
    }
    result.printed = watcher.printed();
    result.last_sequence = watcher.last_sequence();
    if (done) {
      if (!handle_error.ok()) {
        return handle_error;
      }
      return result;
    }
    if (stop != nullptr && stop->stopped()) {
      return result;
    }
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      return absl::OutOfRangeError(absl::StrCat(
          "events after sequence ", request.has_since_sequence() ? request.since_sequence() : 0,
          " are no longer retained (", status.error_message(),
          "); run again without --since and re-read the calls"));
    }
    if (!IsRetryable(status)) {
      return FromGrpc(status);
    }
    // RESOURCE_EXHAUSTED with nothing delivered, again and again, is not a slow subscriber the
    // server cut off: a message this client cannot take (e.g. over its receive limit) would come
    // back on every resume. Give up instead of looping forever.
    exhausted_in_a_row = !delivered && status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED
                             ? exhausted_in_a_row + 1
                             : 0;
    if (exhausted_in_a_row >= kMaxExhaustedInARow) {
      return absl::ResourceExhaustedError(absl::StrCat("the stream failed ", exhausted_in_a_row,
                                                       " times in a row with nothing delivered (",
                                                       status.error_message(), "); giving up"));
    }
    if (delivered) {
      backoff = options.initial_backoff;
    }
    const std::optional<int64_t>& last = watcher.last_sequence();
    err << "callctl: stream ended (" << CodeName(status.error_code());
    if (!status.error_message().empty()) {
      err << ": " << status.error_message();
    }
    err << "); reconnecting in " << absl::FormatDuration(backoff);
    if (last.has_value()) {
      err << " from sequence " << *last;
    }
    err << '\n';
    err.flush();
    if (stop != nullptr) {
      if (stop->WaitFor(backoff)) {
        return result;
      }
    } else {
      absl::SleepFor(backoff);
    }
    backoff = std::min(backoff * 2, options.max_backoff);
  }
  return result;
}

}  // namespace callcontrol::client
