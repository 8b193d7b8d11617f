// webhook-adapter: verifies provider webhooks, forwards them to callcontrold as RPCs and answers
// the provider. Usage: webhook-adapter --config callcontrol.json [--listen 127.0.0.1:8080]
// [--public-url https://hooks.example.com] [--daemon 127.0.0.1:50051] [--io-threads 2]
#include <grpc/grpc.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "common/config/config.h"
#include "common/logging.h"
#include "common/open_files.h"
#include "providers/registry.h"
#include "webhook_adapter/adapter.h"
#include "webhook_adapter/webhook_router.h"

namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = callcontrol::logging::Get("webhook");
  return logger;
}

int Fail(const std::string& message) {
  std::cerr << "webhook-adapter: " << message << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using callcontrol::webhook_adapter::Adapter;
  namespace logging = callcontrol::logging;

  CLI::App app{
      "webhook-adapter: verifies provider webhooks, forwards them to callcontrold over gRPC "
      "(presenting daemon.internal_api_key) and answers the provider once the daemon has "
      "recorded them. Serves GET /healthz and Prometheus GET /metrics. Webhook routes, and how "
      "each provider's webhooks are verified:\n" +
      callcontrol::webhook_adapter::WebhookRoutesHelp()};
  std::string config_path;
  callcontrol::config::Overrides overrides;
  double daemon_deadline_seconds = 5.0;
  Adapter::Options adapter_options;
  std::string log_level = "info";
  app.add_option("--config", config_path,
                 "JSON config file shared with callcontrold (tenants with the secrets their "
                 "providers' webhooks are verified with, adapter section, "
                 "daemon.internal_api_key)")
      ->required();
  app.add_option("--listen", overrides.listen,
                 "HTTP listen address host:port, port 0 picks a free one (overrides "
                 "adapter.listen; default 127.0.0.1:8080)");
  app.add_option("--public-url", overrides.public_url,
                 "URL providers reach the adapter at, scheme://host[:port]; signatures over the "
                 "URL are checked against it (overrides adapter.public_url)");
  app.add_option("--daemon", overrides.daemon_address,
                 "gRPC address of callcontrold (overrides adapter.daemon_address; default "
                 "127.0.0.1:50051)");
  app.add_option("--daemon-deadline", daemon_deadline_seconds,
                 "seconds a webhook waits for callcontrold (including reconnecting to it) before "
                 "the provider gets 503; default 5 (well below the 15 s some providers wait for an "
                 "answer)")
      ->check(CLI::Range(0.05, 60.0));
  app.add_option("--daemon-batches-in-flight", adapter_options.daemon_batches_in_flight,
                 "webhook reports to callcontrold travel in BatchReportProviderEvents calls; while "
                 "this many are outstanding, new reports queue and leave together when one "
                 "completes (1-64)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--daemon-batch-size", adapter_options.daemon_max_batch_size,
                 "most webhook reports in one call to callcontrold (1-1000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--io-threads", overrides.io_threads,
                 "HTTP io threads (overrides adapter.io_threads; default 2)")
      ->check(CLI::Range(1, 256));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Debian builds Abseil without NDEBUG, so every absl::Mutex (gRPC's included) would keep a
  // deadlock-detection graph, with stack traces, on every lock: about 5% of the CPU per webhook,
  // measured with perf. Turn it off before any thread starts.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  if (auto s = logging::SetLevel(log_level); !s.ok()) {
    return Fail("--log-level: " + std::string(s.message()));
  }
  auto config = callcontrol::providers::LoadConfig(config_path);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  if (auto s = callcontrol::config::ApplyOverrides(overrides, &*config); !s.ok()) {
    return Fail(std::string(s.message()));
  }

  // Block the stop signals before any thread starts, so every thread inherits the mask and only
  // sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  adapter_options.daemon_deadline =
      std::chrono::milliseconds(static_cast<int64_t>(daemon_deadline_seconds * 1000));
  // Held for the whole run and released with grpc_shutdown_blocking() once every gRPC object is
  // gone, so gRPC's cleanup finishes before exit instead of racing it on a background thread.
  grpc_init();
  const uint64_t open_files = callcontrol::RaiseOpenFileLimit();
  auto adapter = Adapter::Start(*config, adapter_options);
  if (!adapter.ok()) return Fail(std::string(adapter.status().message()));
  const std::string& listen_address = config->adapter.listen;
  const std::string host = listen_address.substr(0, listen_address.rfind(':'));
  const std::string bound = host + ":" + std::to_string((*adapter)->port());
  Logger()->info("listening on {} public_url={} daemon={} io_threads={} tenants={} open_files={}",
                 bound, config->adapter.public_url, config->adapter.daemon_address,
                 config->adapter.io_threads, config->tenants.size(), open_files);
  std::printf("webhook-adapter listening on %s\n", bound.c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  Logger()->info("signal {} received: shutting down", signal);
  (*adapter)->Shutdown();
  adapter->reset();
  grpc_shutdown_blocking();
  Logger()->info("stopped");
  return 0;
}
