// callctl: command-line client of callcontrol.v1.CallControlService. Parses flags and the
// environment, opens one channel, runs one command (client/callctl_commands.h,
// client/event_watcher.h). Exit status: 0 ok, 1 RPC or local error, 2 usage error.
#include <grpc/grpc.h>
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "client/api_keys.h"
#include "client/callctl_commands.h"
#include "client/event_watcher.h"
#include "client/request_builders.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace {

using callcontrol::client::CommandEnv;

// Takes SIGINT/SIGTERM on a dedicated thread (they are blocked everywhere else, including the
// gRPC threads created after the constructor) and turns them into WatchStop::Stop().
class SignalStopper {
 public:
  explicit SignalStopper(callcontrol::client::WatchStop* stop) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this, stop] {
      const timespec tick{0, 100 * 1000 * 1000};
      while (!done_.load()) {
        if (sigtimedwait(&signals_, nullptr, &tick) > 0) {
          stop->Stop();
          return;
        }
      }
    });
  }
  ~SignalStopper() {
    done_.store(true);
    thread_.join();
  }

 private:
  sigset_t signals_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

int Fail(const absl::Status& status) {
  std::cerr << callcontrol::client::FormatError(status) << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"callctl: command-line client of the callcontrol daemon (CallControlService)"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command

  std::string server = "127.0.0.1:50051";
  std::string api_key;
  bool json = false;
  double timeout_seconds = 10;
  app.add_option("--server", server, "daemon address HOST:PORT")
      ->envname("CALLCONTROL_SERVER")
      ->capture_default_str();
  app.add_option("--api-key", api_key,
                 "tenant API key, sent as 'authorization: Bearer KEY' (never printed)")
      ->envname("CALLCONTROL_API_KEY");
  app.add_flag("--json", json, "print responses as JSON, one object per line");
  app.add_option("--timeout", timeout_seconds, "deadline of each unary RPC, in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  callcontrol::client::StartCallArgs start_args;
  CLI::App* start = app.add_subcommand("start", "place an outbound call and print it");
  start->add_option("--to", start_args.to, "called number, E.164 (+14155550123)")->required();
  start->add_option("--from", start_args.from, "calling number, E.164 (default: tenant's)");
  start->add_option("--idempotency-key", start_args.idempotency_key,
                    "retries with the same key return the same call");
  start->add_option("--twiml", start_args.twiml, "TwiML to run when answered (default: tenant's)");

  std::string call_id;
  CLI::App* hangup = app.add_subcommand("hangup", "end a call through the provider and print it");
  hangup
      ->add_option(
          "CALL_ID", call_id,
          "call id or provider id (CallSid, call_control_id, call_leg_id, call_session_id)")
      ->required();
  CLI::App* get = app.add_subcommand("get", "print one call");
  get->add_option("CALL_ID", call_id,
                  "call id or provider id (CallSid, call_control_id, call_leg_id, call_session_id)")
      ->required();

  callcontrol::client::ListCallsArgs list_args;
  bool list_all = false;
  CLI::App* list = app.add_subcommand("list", "list calls, newest first");
  list->add_option("--status", list_args.statuses,
                   "only these statuses (queued initiated ringing in_progress completed busy "
                   "no_answer failed canceled); repeat or comma-separate")
      ->delimiter(',');
  list->add_option("--since", list_args.since, "created at or after this RFC 3339 time");
  list->add_option("--until", list_args.until, "created before this RFC 3339 time");
  list->add_option("--page-size", list_args.page_size, "calls per page (server default 50)")
      ->check(CLI::NonNegativeNumber);
  list->add_option("--page-token", list_args.page_token, "next page token of a previous list");
  list->add_flag("--all", list_all, "follow next page tokens to the last page");

  callcontrol::client::WatchOptions watch_options;
  int64_t watch_since = 0;
  CLI::App* watch = app.add_subcommand(
      "watch",
      "follow the event stream; reconnects and resumes after UNAVAILABLE/RESOURCE_EXHAUSTED");
  CLI::Option* since_option =
      watch
          ->add_option("--since", watch_since,
                       "first replay retained events after this sequence (default: live only)")
          ->check(CLI::NonNegativeNumber);
  watch->add_option("--call", watch_options.call_id,
                    "only events of this call (call id or provider id)");
  watch->add_flag("--until-terminal", watch_options.until_terminal,
                  "exit 0 once the --call call reaches a terminal status");
  watch->add_option("--max-events", watch_options.max_events, "exit after printing N events")
      ->check(CLI::NonNegativeNumber);

  app.add_subcommand("metrics", "print the tenant's call figures");
  CLI::App* clone_status =
      app.add_subcommand("clone-status", "print the voice-clone job of an inbound call");
  clone_status->add_option("CALL_ID", call_id, "call id or provider id (CallSid...)")->required();

  CLI::App* sample = app.add_subcommand("sample", "caller voice samples for the clone flow");
  sample->require_subcommand(1);
  std::string sample_caller, sample_file, sample_type;
  CLI::App* sample_put = sample->add_subcommand(
      "put", "store (or replace) the voice sample of a caller (WAV/MP3/OGG/FLAC/WebM, <= 10 MiB)");
  sample_put->add_option("--caller", sample_caller, "the caller's number, E.164")->required();
  sample_put->add_option("--file", sample_file, "the audio file")->required();
  sample_put->add_option("--content-type", sample_type,
                         "audio/wav, audio/mpeg, ... (default: detected from the file)");

  CLI::App* key = app.add_subcommand("key", "make or hash tenant API keys (no server needed)");
  key->require_subcommand(1);
  CLI::App* key_new = key->add_subcommand(
      "new", "print a fresh random API key and the hash to put in the tenant's \"api_keys\"");
  std::string key_to_hash;
  CLI::App* key_hash =
      key->add_subcommand("hash", "print the config hash (sha256:<hex>) of an API key");
  key_hash->add_option("KEY", key_to_hash, "the key (default: read one line from stdin)");
  for (CLI::App* command : app.get_subcommands({})) {
    command->footer("Global options (--server, --api-key, --json, --timeout) may follow too.");
  }

  try {
    app.parse(argc, argv);
    if (watch_options.until_terminal && watch_options.call_id.empty()) {
      throw CLI::ValidationError("--until-terminal", "requires --call CALL_ID");
    }
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (key->parsed()) {
    if (key_new->parsed()) {
      const std::string fresh = callcontrol::client::NewApiKey();
      std::cout << "api key:  " << fresh << "\n"
                << "config:   \"api_keys\": [\"" << callcontrol::client::ApiKeyHash(fresh)
                << "\"]\n";
    } else if (key_hash->parsed()) {
      if (key_to_hash.empty()) std::getline(std::cin, key_to_hash);
      if (key_to_hash.empty()) {
        std::cerr << "callctl: no key given\n";
        return 2;
      }
      std::cout << callcontrol::client::ApiKeyHash(key_to_hash) << "\n";
    }
    return 0;
  }

  callcontrol::client::WatchStop stop;
  std::unique_ptr<SignalStopper> signal_stopper;
  if (watch->parsed()) {
    // Before the channel exists, so every gRPC thread inherits the blocked signals.
    signal_stopper = std::make_unique<SignalStopper>(&stop);
  }

  // Held until the channel is gone, then released with grpc_shutdown_blocking(), so gRPC's
  // cleanup finishes before exit instead of racing it on a background thread.
  grpc_init();
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
  std::unique_ptr<callcontrol::v1::CallControlService::Stub> stub =
      callcontrol::v1::CallControlService::NewStub(channel);

  CommandEnv env;
  env.stub = stub.get();
  env.api_key = api_key;
  env.timeout = absl::Seconds(timeout_seconds);
  env.json = json;
  env.out = &std::cout;

  absl::Status status;
  if (start->parsed()) {
    status = RunStartCall(env, start_args);
  } else if (hangup->parsed()) {
    status = RunHangupCall(env, call_id);
  } else if (get->parsed()) {
    status = RunGetCall(env, call_id);
  } else if (list->parsed()) {
    status = RunListCalls(env, list_args, list_all);
  } else if (watch->parsed()) {
    if (since_option->count() > 0) {
      watch_options.since_sequence = watch_since;
    }
    watch_options.json = json;
    watch_options.metadata = callcontrol::client::AuthMetadata(api_key);
    status = callcontrol::client::WatchEvents(*stub, watch_options, std::cout, std::cerr, &stop)
                 .status();
  } else if (clone_status->parsed()) {
    status = callcontrol::client::RunGetCloneStatus(env, call_id);
  } else if (sample_put->parsed()) {
    status = callcontrol::client::RunPutVoiceSample(env, sample_caller, sample_file, sample_type);
  } else {
    status = RunGetMetrics(env);
  }
  std::cout.flush();
  stub.reset();
  channel.reset();
  grpc_shutdown_blocking();
  if (!status.ok()) {
    return Fail(status);
  }
  return 0;
}
