// events_bench: N StreamEvents subscribers against callcontrold, reporting event delivery
// latency (receive time - Event.create_time) and events per subscriber. Flags only; the engine is
// event_subscribers.h. Exit status: 0 done, 1 run or self-test failure, 2 usage error.
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "tools/bench/event_subscribers.h"
#include "tools/bench/events_self_test.h"

int main(int argc, char** argv) {
  CLI::App app{
      "events_bench: opens N StreamEvents subscribers to the callcontrol daemon for --duration "
      "seconds and reports event delivery latency (receive time minus Event.create_time, same "
      "machine) and events per subscriber. Start it before webhook_bench to measure under load."};
  callcontrol::bench::EventsBenchOptions options;
  double duration_seconds = 10;
  int64_t since = 0;
  bool json = false;
  bool self_test = false;
  app.add_option("--server", options.server, "daemon address HOST:PORT")
      ->envname("CALLCONTROL_SERVER")
      ->capture_default_str();
  app.add_option("--api-key", options.api_key,
                 "tenant API key, sent as 'authorization: Bearer KEY'")
      ->envname("CALLCONTROL_API_KEY");
  app.add_option("--subscribers,-n", options.subscribers, "concurrent StreamEvents streams")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--channels", options.channels, "gRPC channels (TCP connections) to spread over")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--duration,-d", duration_seconds, "seconds to subscribe (the tool stops)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  CLI::Option* since_option =
      app.add_option("--since", since, "replay retained events after this sequence first")
          ->check(CLI::NonNegativeNumber);
  app.add_flag("--json", json, "print one JSON object on stdout (the summary goes to stderr)");
  app.add_flag("--self-test", self_test,
               "check the subscribers against an in-process gRPC server and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (self_test) {
    absl::Status status = callcontrol::bench::RunEventsSelfTest(std::cout);
    if (!status.ok()) {
      std::cerr << "events_bench: " << status.message() << std::endl;
      return 1;
    }
    std::cout << "self-test passed" << std::endl;
    return 0;
  }

  options.duration = absl::Seconds(duration_seconds);
  if (since_option->count() > 0) {
    options.since_sequence = since;
  }
  absl::StatusOr<callcontrol::bench::EventsBenchReport> report =
      callcontrol::bench::RunEventsBench(options, &std::cerr);
  if (!report.ok()) {
    std::cerr << "events_bench: " << report.status() << std::endl;
    return 1;
  }
  if (json) {
    std::cerr << FormatEventsReport(*report);
    std::cout << EventsReportJson(*report).dump() << std::endl;
  } else {
    std::cout << FormatEventsReport(*report);
  }
  return 0;
}
