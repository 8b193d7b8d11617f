#include "tools/bench/webhook_self_test.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/http/form.h"
#include "common/http/http_server.h"
#include "common/status_macros.h"
#include "providers/twilio/twilio_signature.h"
#include "providers/twilio/twilio_time.h"
#include "tools/bench/webhook_load.h"

namespace callcontrol::bench {
namespace {

constexpr char kTenant[] = "selftest";
constexpr char kToken[] = "self-test-auth-token";
constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kPublicUrl[] = "https://hooks.example.test";
constexpr int64_t kDuration = 42;

std::string Path() { return absl::StrCat("/webhooks/twilio/", kTenant, "/status"); }

bool IsCallSid(const std::string& sid) {
  if (sid.size() != 34 || sid.rfind("CA", 0) != 0) {
    return false;
  }
  for (size_t i = 2; i < sid.size(); ++i) {
    if (!absl::ascii_isxdigit(sid[i])) {
      return false;
    }
  }
  return true;
}

bool IsE164(const std::string* n) {
  if (n == nullptr || n->size() < 3 || n->size() > 16 || (*n)[0] != '+' || (*n)[1] == '0') {
    return false;
  }
  for (size_t i = 1; i < n->size(); ++i) {
    if (!absl::ascii_isdigit((*n)[i])) {
      return false;
    }
  }
  return true;
}

// The checking webhook receiver. Thread-safe.
class CheckingReceiver {
 public:
  // Validates one request; returns "" if it is a correct, correctly ordered status callback.
  std::string Check(const http::Request& request) {
    if (request.method != "POST") {
      return "method " + request.method;
    }
    if (request.path != Path()) {
      return "path " + request.path;
    }
    if (!request.query.empty()) {
      return "unexpected query " + request.query;
    }
    absl::StatusOr<http::FormParams> params = http::ParseForm(request.body);
    if (!params.ok()) {
      return "bad form: " + params.status().ToString();
    }
    const std::string signature(request.Header("x-twilio-signature"));
    if (!twilio::ValidateSignature(kToken, absl::StrCat(kPublicUrl, Path()), *params, signature)) {
      absl::MutexLock lock(&mu_);
      ++bad_signatures_;
      return "bad signature";
    }
    auto get = [&](const char* name) -> std::string {
      const std::string* v = http::FindParam(*params, name);
      return v == nullptr ? std::string() : *v;
    };
    const std::string sid = get("CallSid");
    if (!IsCallSid(sid)) {
      return "bad CallSid " + sid;
    }
    if (get("AccountSid") != kAccountSid || get("Direction") != "outbound-api" ||
        get("ApiVersion") != "2010-04-01" || !IsE164(http::FindParam(*params, "From")) ||
        !IsE164(http::FindParam(*params, "To"))) {
      return "bad AccountSid/Direction/ApiVersion/From/To in " + request.body;
    }
    if (!twilio::ParseTwilioTime(get("Timestamp")).ok()) {
      return "bad Timestamp " + get("Timestamp");
    }
    static constexpr const char* kWords[] = {"initiated", "ringing", "in-progress", "completed"};
    absl::MutexLock lock(&mu_);
    int& next = next_sequence_[sid];
    if (next > 3 || get("SequenceNumber") != absl::StrCat(next) ||
        get("CallStatus") != kWords[next]) {
      return absl::StrCat("out of order for ", sid, ": expected SequenceNumber ", next, " got ",
                          get("SequenceNumber"), " ", get("CallStatus"));
    }
    if (next == 3 && get("CallDuration") != absl::StrCat(kDuration)) {
      return "completed without CallDuration";
    }
    ++next;
    ++valid_;
    if (next == 4) {
      ++completed_calls_;
    }
    return "";
  }

  void Handle(http::Request&& request, http::Responder respond) {
    std::string problem = Check(request);
    http::Response response;
    if (problem.empty()) {
      response.status = 204;
    } else {
      response.status = problem == "bad signature" ? 403 : 400;
      response.body = problem;
      absl::MutexLock lock(&mu_);
      if (problem != "bad signature" && first_problem_.empty()) {
        first_problem_ = problem;
      }
      ++problems_;
    }
    respond(std::move(response));
  }

  struct Counts {
    int64_t valid, problems, bad_signatures, calls, completed_calls;
    std::string first_problem;
  };
  Counts Snapshot() {
    absl::MutexLock lock(&mu_);
    return {valid_,           problems_,
            bad_signatures_,  static_cast<int64_t>(next_sequence_.size()),
            completed_calls_, first_problem_};
  }
  void Reset() {
    absl::MutexLock lock(&mu_);
    valid_ = problems_ = bad_signatures_ = completed_calls_ = 0;
    next_sequence_.clear();
    first_problem_.clear();
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> next_sequence_ ABSL_GUARDED_BY(mu_);
  int64_t valid_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t problems_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t bad_signatures_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t completed_calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_problem_ ABSL_GUARDED_BY(mu_);
};

absl::Status Expect(bool condition, const std::string& what) {
  return condition ? absl::OkStatus() : absl::InternalError("self-test failed: " + what);
}

// Both sides must agree: every request answered 2xx, each one valid, calls counted alike.
absl::Status CheckAgreement(const WebhookLoadReport& r, const CheckingReceiver::Counts& s) {
  RETURN_IF_ERROR(Expect(s.problems == 0, "receiver rejected a request: " + s.first_problem));
  RETURN_IF_ERROR(Expect(r.requests_sent > 0, "nothing was sent"));
  RETURN_IF_ERROR(Expect(r.status_other == 0 && r.io_errors == 0 && r.connect_errors == 0,
                         "errors or non-2xx responses"));
  RETURN_IF_ERROR(
      Expect(r.responses == r.requests_sent && r.unanswered == 0,
             absl::StrCat("sent ", r.requests_sent, " but got ", r.responses, " responses")));
  RETURN_IF_ERROR(Expect(r.status_2xx == s.valid, absl::StrCat("client counted ", r.status_2xx,
                                                               " 2xx, receiver ", s.valid)));
  RETURN_IF_ERROR(
      Expect(r.calls_started == s.calls,
             absl::StrCat("client started ", r.calls_started, " calls, receiver saw ", s.calls)));
  RETURN_IF_ERROR(Expect(r.calls_completed == s.completed_calls,
                         absl::StrCat("client completed ", r.calls_completed, " calls, receiver ",
                                      s.completed_calls)));
  return Expect(r.latency.count() == r.responses, "a response was not timed");
}

}  // namespace

absl::Status RunWebhookSelfTest(std::ostream& log) {
  CheckingReceiver receiver;
  http::HttpServer::Options server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.io_threads = 1;
  ASSIGN_OR_RETURN(std::unique_ptr<http::HttpServer> server,
                   http::HttpServer::Start(server_options, [&receiver](http::Request&& request,
                                                                       http::Responder respond) {
                     receiver.Handle(std::move(request), std::move(respond));
                   }));

  WebhookLoadOptions options;
  options.host = "127.0.0.1";
  options.port = server->port();
  options.target.host_header = absl::StrCat("127.0.0.1:", server->port());
  options.target.path = Path();
  options.target.signed_url = absl::StrCat(kPublicUrl, Path());
  options.target.auth_token = kToken;
  options.target.account_sid = kAccountSid;
  options.target.call_duration_seconds = kDuration;
  options.connections = 4;
  options.threads = 2;
  options.duration = absl::Seconds(1);
  options.drain = absl::Seconds(3);

  // 1. Closed loop: as fast as the loopback server answers. Few precomputed calls, so the
  // build-during-run path is exercised too.
  options.precompute_calls = 20;
  ASSIGN_OR_RETURN(WebhookLoadReport closed, RunWebhookLoad(options));
  log << FormatWebhookReport(closed);
  RETURN_IF_ERROR(CheckAgreement(closed, receiver.Snapshot()));
  RETURN_IF_ERROR(Expect(closed.calls_built_during_run > 0, "no call built during the run"));
  log << "self-test: closed loop OK (every callback valid, signed and in order)\n";

  // 2. Open loop at 400 requests/s: the count follows the schedule.
  receiver.Reset();
  options.rate = 400;
  options.precompute_calls = -1;
  ASSIGN_OR_RETURN(WebhookLoadReport open, RunWebhookLoad(options));
  log << FormatWebhookReport(open);
  RETURN_IF_ERROR(CheckAgreement(open, receiver.Snapshot()));
  RETURN_IF_ERROR(Expect(open.requests_sent >= 396 && open.requests_sent <= 404,
                         absl::StrCat("open loop sent ", open.requests_sent, ", expected 400")));
  RETURN_IF_ERROR(Expect(open.calls_built_during_run == 0, "open loop built calls in the window"));
  log << "self-test: open loop OK (" << open.requests_sent << " requests at 400/s)\n";

  // 3. A wrong auth token: the receiver must refuse every request with 403.
  receiver.Reset();
  options.rate = 0;
  options.duration = absl::Milliseconds(300);
  options.target.auth_token = "not-the-token";
  ASSIGN_OR_RETURN(WebhookLoadReport forged, RunWebhookLoad(options));
  const CheckingReceiver::Counts forged_counts = receiver.Snapshot();
  RETURN_IF_ERROR(Expect(forged.responses > 0 && forged.status_2xx == 0 &&
                             forged.by_status[403] == forged.responses &&
                             forged_counts.bad_signatures == forged.responses,
                         "requests signed with a wrong token were not all refused with 403"));
  log << "self-test: wrong token OK (" << forged.responses << " requests, all 403)\n";

  server->Shutdown();
  return absl::OkStatus();
}

}  // namespace callcontrol::bench
