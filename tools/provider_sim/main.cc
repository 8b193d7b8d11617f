// provider-sim: a loopback stand-in for the providers of the registry (sim_registry.cc) that
// sends real (signed where the provider signs) webhooks. Parses the shared flags and each
// provider's own, starts SimServer, prints the listening line and what the providers announce,
// waits for SIGINT/SIGTERM, stops gracefully. Scenarios and routes: tools/provider_sim/README.md.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/logging.h"
#include "tools/provider_sim/sim_provider.h"
#include "tools/provider_sim/sim_server.h"

namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = callcontrol::logging::Get("provider_sim");
  return logger;
}

namespace sim = callcontrol::provider_sim;

// "provider-sim: loopback stand-in for A, B and C that sends their webhooks on scripted
// timelines."
std::string Description(const std::vector<std::unique_ptr<sim::SimProvider>>& providers) {
  std::string out = "provider-sim: loopback stand-in for ";
  for (size_t i = 0; i < providers.size(); ++i) {
    if (i > 0) out += i + 1 == providers.size() ? " and " : ", ";
    out += providers[i]->description();
  }
  return out + " that sends their webhooks on scripted timelines.";
}

std::string ScenarioHelp(const std::vector<std::unique_ptr<sim::SimProvider>>& providers) {
  std::string out;
  for (const auto& provider : providers) out += provider->ScenarioHelp();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  sim::SimServer::Options options;
  options.providers = sim::SimProviders();
  CLI::App app{Description(options.providers)};
  app.footer(ScenarioHelp(options.providers));
  std::string log_level = "info";
  app.add_option("--listen", options.listen, "host:port to serve on (port 0 picks a free one)")
      ->capture_default_str();
  for (const auto& provider : options.providers) provider->AddFlags(app);
  app.add_option("--time-scale", options.time_scale,
                 "Multiplies every scenario delay and retry back-off (1.0 = real seconds)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--webhook-retries", options.webhook_retries,
                 "Retries of a webhook (status callback, event or execution webhook) that got no "
                 "response or a non-2xx status (back-off 100ms*2^k, scaled)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--webhook-threads", options.webhook_threads, "Threads delivering webhooks")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_flag("--allow-remote", options.allow_remote,
               "Allow a non-loopback --listen address (the /sim inspection endpoints are then "
               "refused)");
  CLI11_PARSE(app, argc, argv);

  if (auto s = callcontrol::logging::SetLevel(log_level); !s.ok()) {
    std::cerr << "provider-sim: " << s.message() << "\n";
    return 2;
  }
  for (const auto& provider : options.providers) {
    if (const absl::Status s = provider->ApplyFlags(); !s.ok()) {
      std::cerr << "provider-sim: " << s.message() << "\n";
      return 2;
    }
  }

  // Block the stop signals before any thread starts so that only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::string listen = options.listen;
  auto server = sim::SimServer::Start(std::move(options));
  if (!server.ok()) {
    std::cerr << "provider-sim: cannot start: " << server.status().message() << "\n";
    return 1;
  }
  const std::string host = listen.substr(0, listen.rfind(':'));
  std::vector<std::string> announced;
  for (const auto& provider : (*server)->providers()) {
    auto lines = provider->Announce();
    if (!lines.ok()) {
      std::cerr << "provider-sim: " << lines.status().message() << "\n";
      (*server)->Shutdown();
      return 1;
    }
    announced.insert(announced.end(), lines->begin(), lines->end());
  }
  std::printf("provider-sim listening on %s:%d\n", host.c_str(), (*server)->port());
  for (const std::string& line : announced) std::printf("provider-sim %s\n", line.c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Logger()->info("signal {} received, shutting down", signal_number);
  (*server)->Shutdown();
  return 0;
}
