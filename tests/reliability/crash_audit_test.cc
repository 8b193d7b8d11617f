// Crash audit: under a load of StartCalls (with idempotency keys) and signed Twilio status
// callbacks, callcontrold is killed with SIGKILL at random moments (3 times here; the seed is
// printed) and webhook-adapter once, each restarted on the same ports and database. Then, through
// the public API only, the audit proves that nothing acknowledged was lost or contradicted:
//   - every acknowledged StartCall's call exists, and a repeated key always named the same call;
//   - every call is at least as far as its furthest acknowledged callback and never beyond the
//     furthest one sent; an acknowledged `completed` left COMPLETED with its CallDuration;
//   - the event log (every tenant's stream from since_sequence=0) has no gap and no duplicate
//     from first to last, and shows every call's acknowledged state and the store's final one;
//   - a subscriber that stayed subscribed across the kills, resuming with since_sequence after
//     each disconnect, saw exactly acme's log: no gap, no duplicate.
// Unacknowledged requests (503, UNAVAILABLE, a reset during a kill) may or may not have taken
// effect; only the bounds above are asserted, so the test holds for every interleaving.
// tools/chaos/crash_loop.sh runs the long version (CRASH_AUDIT_KILLS, CRASH_AUDIT_SECONDS...).
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "tests/integration/stack_fixture.h"
#include "tests/reliability/crash_audit_load.h"
#include "tests/testing/wait.h"

namespace callcontrol::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  int64_t n = 0;
  return value != nullptr && absl::SimpleAtoi(value, &n) ? n : fallback;
}

struct Settings {
  uint64_t seed;
  int daemon_kills;
  int adapter_kills;
  int seconds;  // the load runs at least this long, and until the last restart is behind it
  int threads;
  int max_gap_ms;  // the pause before each kill is uniform in [200 ms, max_gap_ms]

  static Settings FromEnvironment() {
    Settings s;
    s.seed = static_cast<uint64_t>(EnvInt("CRASH_AUDIT_SEED", std::random_device()()));
    s.daemon_kills = static_cast<int>(EnvInt("CRASH_AUDIT_KILLS", 3));
    s.adapter_kills =
        static_cast<int>(EnvInt("CRASH_AUDIT_ADAPTER_KILLS", std::max(1, s.daemon_kills / 4)));
    s.seconds = static_cast<int>(EnvInt("CRASH_AUDIT_SECONDS", 6));
    s.threads = static_cast<int>(EnvInt("CRASH_AUDIT_THREADS", 2));
    // Long runs spread the kills over the duration with a longer one (tools/chaos/crash_loop.sh).
    s.max_gap_ms = std::max(200, static_cast<int>(EnvInt("CRASH_AUDIT_MAX_GAP_MS", 1500)));
    return s;
  }
};

class CrashAuditTest : public StackTest {
 protected:
  // The simulator's own callbacks would come after 10,000 s: the load sends every callback.
  CrashAuditTest() { sim_time_scale_ = "100000"; }

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StackTest::SetUp());
    // One channel for the load, the subscriber and the audit, kept across restarts; reconnects
    // quickly once the daemon listens again.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 250);
    channel_for_load_ = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(daemon_port_),
                                                  grpc::InsecureChannelCredentials(), args);
    audit_ = v1::CallControlService::NewStub(channel_for_load_);
  }

  void KillAndRestartDaemon() {
    daemon_->Stop(SIGKILL);
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ASSERT_TRUE(::callcontrol::testing::WaitFor([&] { return PortAccepts(daemon_port_); },
                                                std::chrono::seconds(20), "callcontrold's port"));
  }

  void KillAndRestartAdapter() {
    adapter_->Stop(SIGKILL);
    ASSERT_NO_FATAL_FAILURE(StartAdapter());
    ASSERT_TRUE(::callcontrol::testing::WaitFor([&] { return PortAccepts(adapter_port_); },
                                                std::chrono::seconds(20),
                                                "webhook-adapter's port"));
  }

  grpc::Status AuditGetCall(const std::string& id, v1::Call* call) {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAcmeKey);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetCallRequest request;
    request.set_call_id(id);
    v1::GetCallResponse response;
    grpc::Status s = audit_->GetCall(&ctx, request, &response);
    *call = response.call();
    return s;
  }

  // Every acme call, through ListCalls pages.
  std::vector<v1::Call> ListAllCalls() {
    std::vector<v1::Call> calls;
    std::string token;
    for (int page = 0; page < 100000; ++page) {
      grpc::ClientContext ctx;
      Authorize(&ctx, kAcmeKey);
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      v1::ListCallsRequest request;
      request.set_page_size(1000);
      request.set_page_token(token);
      v1::ListCallsResponse response;
      const grpc::Status s = audit_->ListCalls(&ctx, request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      calls.insert(calls.end(), response.calls().begin(), response.calls().end());
      token = response.next_page_token();
      if (token.empty()) break;
    }
    return calls;
  }

  std::shared_ptr<grpc::Channel> channel_for_load_;
  std::unique_ptr<v1::CallControlService::Stub> audit_;
};

std::string Name(v1::CallStatus s) { return v1::CallStatus_Name(s); }

TEST_F(CrashAuditTest, KillNineUnderLoadLosesNothingAcknowledged) {
  const Settings settings = Settings::FromEnvironment();
  std::cout << "crash-audit seed=" << settings.seed << " (CRASH_AUDIT_SEED=" << settings.seed
            << " repeats the kill timing) daemon_kills=" << settings.daemon_kills
            << " adapter_kills=" << settings.adapter_kills << " seconds=" << settings.seconds
            << std::endl;
  RecordProperty("seed", std::to_string(settings.seed));
  std::mt19937_64 rng(settings.seed);
  const auto started = steady_clock::now();

  ResumingSubscriber subscriber(channel_for_load_, kAcmeKey);
  LoadGenerator load(
      {channel_for_load_, adapter_port_, sim_port_, settings.seed, settings.threads});
  load.Start();

  // The kills, in a seeded order, each at a random moment once the load made progress since the
  // previous restart.
  std::vector<char> plan(settings.daemon_kills, 'd');
  plan.insert(plan.end(), settings.adapter_kills, 'a');
  std::shuffle(plan.begin(), plan.end(), rng);
  std::uniform_int_distribution<int> gap(200, settings.max_gap_ms);
  int daemon_kills = 0;
  int adapter_kills = 0;
  for (const char what : plan) {
    const int gap_ms = gap(rng);
    const int64_t acked_before = load.acknowledged();
    const auto kill_at = steady_clock::now() + milliseconds(gap_ms);
    ASSERT_TRUE(::callcontrol::testing::WaitFor(
        [&] { return load.acknowledged() > acked_before && steady_clock::now() >= kill_at; },
        milliseconds(gap_ms) + std::chrono::seconds(30),
        "an acknowledged request since the last restart, then the kill moment"));
    if (what == 'd') {
      ASSERT_NO_FATAL_FAILURE(KillAndRestartDaemon());
      ++daemon_kills;
    } else {
      ASSERT_NO_FATAL_FAILURE(KillAndRestartAdapter());
      ++adapter_kills;
    }
    std::cout << "crash-audit: killed " << (what == 'd' ? "callcontrold" : "webhook-adapter")
              << " after " << gap_ms << " ms, acknowledged so far " << load.acknowledged()
              << std::endl;
  }
  // The load goes on until the minimum duration is over and the restarted processes have
  // acknowledged requests.
  const int64_t acked_after_kills = load.acknowledged();
  const auto load_until = started + std::chrono::seconds(settings.seconds);
  ASSERT_TRUE(::callcontrol::testing::WaitFor(
      [&] {
        return load.acknowledged() > acked_after_kills + 20 && steady_clock::now() >= load_until;
      },
      std::chrono::seconds(settings.seconds + 60), "acknowledged requests after the last kill"));
  load.Stop();
  const std::vector<CallRecord> records = load.records();
  const LoadFigures figures = load.figures();
  std::vector<std::string> violations = load.anomalies();

  // The store's state of every acknowledged call.
  std::map<std::string, v1::Call> stored;
  for (const CallRecord& r : records) {
    if (r.acked_call_ids.empty()) continue;
    v1::Call call;
    const grpc::Status s = AuditGetCall(r.call_id(), &call);
    if (!s.ok()) {
      violations.push_back("StartCall key=" + r.key + " acknowledged call " + r.call_id() +
                           " but GetCall answers " + s.error_message());
      continue;
    }
    stored[r.call_id()] = call;
  }

  // Every tenant's log from the start; waits until acme's shows every call's stored version and
  // the resuming subscriber has caught up with it.
  std::vector<std::unique_ptr<EventCollector>> logs;
  for (const char* key : {kAcmeKey, kGlobexKey, kInitechKey, kHooliKey, kUmbrellaKey}) {
    logs.push_back(std::make_unique<EventCollector>(audit_.get(), 0, key));
  }
  EventCollector& acme_log = *logs.front();
  ASSERT_TRUE(::callcontrol::testing::WaitFor(
      [&] {
        std::map<std::string, int64_t> versions;
        const auto events = acme_log.events();
        for (const auto& e : events) {
          int64_t& v = versions[e.call().call_id()];
          v = std::max<int64_t>(v, e.call().version());
        }
        for (const auto& [id, call] : stored) {
          if (versions[id] < call.version()) return false;
        }
        return !events.empty() && subscriber.last_sequence() >= events.back().sequence();
      },
      std::chrono::seconds(60),
      "acme's log to show every stored call and the subscriber to catch up", milliseconds(50)));
  const std::vector<v1::Event> acme_events = acme_log.events();
  const int64_t last = acme_events.back().sequence();
  subscriber.Stop();

  // The whole log: gapless and without duplicates from its first sequence to the last.
  std::vector<int64_t> sequences;
  for (const auto& log : logs) {
    for (const auto& e : log->events()) {
      if (e.sequence() <= last) sequences.push_back(e.sequence());
    }
  }
  std::sort(sequences.begin(), sequences.end());
  EXPECT_EQ(sequences.front(), 1) << "the log of a new database starts at 1";
  for (size_t i = 1; i < sequences.size(); ++i) {
    if (sequences[i] != sequences[i - 1] + 1) {
      violations.push_back("event log: sequence " + std::to_string(sequences[i]) + " follows " +
                           std::to_string(sequences[i - 1]) + " (gap or duplicate)");
    }
  }

  // The resuming subscriber saw exactly acme's log up to `last`.
  std::vector<int64_t> acme_sequences, seen;
  for (const auto& e : acme_events) acme_sequences.push_back(e.sequence());
  for (const auto& e : subscriber.events()) {
    if (e.sequence() <= last) seen.push_back(e.sequence());
  }
  if (seen != acme_sequences) {
    size_t i = 0;
    while (i < seen.size() && i < acme_sequences.size() && seen[i] == acme_sequences[i]) ++i;
    violations.push_back(
        "resuming subscriber: " + std::to_string(seen.size()) + " events against the log's " +
        std::to_string(acme_sequences.size()) + "; first difference at index " + std::to_string(i) +
        " (saw " + (i < seen.size() ? std::to_string(seen[i]) : "nothing") + ", log has " +
        (i < acme_sequences.size() ? std::to_string(acme_sequences[i]) : "nothing") + ")");
  }
  EXPECT_GE(subscriber.subscriptions(), daemon_kills + 1) << "it resumed after every kill";
  for (const grpc::StatusCode code : subscriber.endings()) {
    EXPECT_NE(code, grpc::StatusCode::OUT_OF_RANGE) << "since_sequence refused after a restart";
  }

  // Each call's events, in log order.
  std::map<std::string, std::vector<const v1::Event*>> by_call;
  for (const auto& e : acme_events) {
    if (e.has_call()) by_call[e.call().call_id()].push_back(&e);
  }

  int64_t audited_calls = 0;
  for (const CallRecord& r : records) {
    if (r.acked_call_ids.empty()) continue;
    const std::string who = "call " + r.call_id() + " (key " + r.key + ")";
    for (const std::string& id : r.acked_call_ids) {
      if (id != r.call_id()) {
        violations.push_back("key " + r.key + " acknowledged two calls: " + r.call_id() + " and " +
                             id);
      }
    }
    const auto found = stored.find(r.call_id());
    if (found == stored.end()) continue;  // reported above
    ++audited_calls;
    const v1::Call& call = found->second;
    if (call.idempotency_key() != r.key || call.to() != r.to) {
      violations.push_back(who + ": stored with key " + call.idempotency_key() + " to " +
                           call.to() + ", acknowledged for " + r.to);
    }
    // Never behind what was acknowledged, never beyond what was sent.
    const v1::CallStatus floor = std::max(r.start_status, r.acked);
    const v1::CallStatus ceiling = std::max(r.start_status, r.sent);
    if (call.status() < floor || call.status() > ceiling) {
      violations.push_back(who + ": stored " + Name(call.status()) + ", acknowledged " +
                           Name(floor) + ", furthest sent " + Name(ceiling));
    }
    if (call.status() == v1::CALL_STATUS_COMPLETED &&
        call.duration_seconds() != r.duration_seconds) {
      violations.push_back(who + ": COMPLETED with duration " +
                           std::to_string(call.duration_seconds()) + ", its callback said " +
                           std::to_string(r.duration_seconds));
    }
    if (call.status() >= v1::CALL_STATUS_IN_PROGRESS && !call.has_answer_time()) {
      violations.push_back(who + ": " + Name(call.status()) + " without an answer time");
    }
    if (r.acked >= v1::CALL_STATUS_INITIATED && call.provider_ids().call_sid() != r.call_sid) {
      violations.push_back(who + ": CallSid " + call.provider_ids().call_sid() +
                           ", its acknowledged callbacks said " + r.call_sid);
    }

    // The log: created once, statuses forward, versions increasing, the acknowledged state
    // shown, and the last event is the stored call.
    const auto& events = by_call[r.call_id()];
    int created = 0;
    v1::CallStatus furthest = v1::CALL_STATUS_UNSPECIFIED;
    int64_t version = 0;
    bool completed_with_duration = false;
    for (const v1::Event* e : events) {
      created += e->type() == v1::EVENT_TYPE_CALL_CREATED;
      if (e->call().status() < furthest || e->call().version() <= version) {
        violations.push_back(who + ": event " + std::to_string(e->sequence()) + " moves it back");
      }
      furthest = std::max(furthest, e->call().status());
      version = std::max<int64_t>(version, e->call().version());
      completed_with_duration |= e->call().status() == v1::CALL_STATUS_COMPLETED &&
                                 e->call().duration_seconds() == r.duration_seconds;
    }
    if (created != 1) {
      violations.push_back(who + ": " + std::to_string(created) + " call:created events");
    }
    if (furthest < floor) {
      violations.push_back(who + ": the log shows at most " + Name(furthest) + ", acknowledged " +
                           Name(floor));
    }
    if (r.acked == v1::CALL_STATUS_COMPLETED && !completed_with_duration) {
      violations.push_back(who + ": no COMPLETED event with the acknowledged duration");
    }
    if (events.empty() || events.back()->call().version() != call.version() ||
        events.back()->call().status() != call.status()) {
      violations.push_back(who + ": the log's last event is not the stored call (version " +
                           std::to_string(call.version()) + ")");
    }
  }

  // ListCalls lists every acknowledged call, and no key twice.
  std::set<std::string> listed;
  std::map<std::string, std::string> key_owner;
  for (const v1::Call& call : ListAllCalls()) {
    listed.insert(call.call_id());
    if (call.idempotency_key().empty()) continue;
    auto [it, fresh] = key_owner.emplace(call.idempotency_key(), call.call_id());
    if (!fresh) {
      violations.push_back("key " + call.idempotency_key() + " holds two calls: " + it->second +
                           " and " + call.call_id());
    }
  }
  for (const auto& [id, call] : stored) {
    if (!listed.count(id)) violations.push_back("ListCalls does not list call " + id);
  }

  const double seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  std::cout << "crash-audit result: seed=" << settings.seed << " daemon_kills=" << daemon_kills
            << " adapter_kills=" << adapter_kills
            << " start_calls_acked=" << figures.start_calls_acked
            << " replays_acked=" << figures.replays_acked
            << " unconfirmed_dials=" << figures.unconfirmed_dials
            << " (CallSid from the simulator: " << figures.unconfirmed_found << ")"
            << " start_calls_unacked=" << figures.start_calls_unacked
            << " webhooks_acked=" << figures.webhooks_acked
            << " webhooks_unacked=" << figures.webhooks_unacked
            << " calls_audited=" << audited_calls << " events=" << sequences.size()
            << " resubscriptions=" << subscriber.subscriptions() - 1
            << " lost=" << violations.size() << " seconds=" << seconds << std::endl;
  EXPECT_EQ(daemon_kills, settings.daemon_kills);
  EXPECT_GT(figures.webhooks_acked, 0);
  EXPECT_GT(audited_calls, 0);
  for (size_t i = 0; i < violations.size() && i < 50; ++i) ADD_FAILURE() << violations[i];
  EXPECT_TRUE(violations.empty()) << violations.size() << " violations (seed " << settings.seed
                                  << ")";
}

}  // namespace
}  // namespace callcontrol::testing
