// provider-sim: a loopback stand-in for Twilio's REST API, Telnyx Call Control, Exotel's Connect
// API and Bolna's execution webhooks that sends real (signed where the provider signs) webhooks.
// Parses flags, loads the Telnyx signing key, starts SimServer, waits for SIGINT/SIGTERM, stops
// gracefully. Scenarios and routes: tools/provider_sim/README.md.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "common/logging.h"
#include "tools/provider_sim/scenario.h"
#include "tools/provider_sim/sim_server.h"
#include "tools/provider_sim/telnyx/telnyx_key_file.h"
#include "tools/provider_sim/voice/voice_api.h"

namespace {

std::string ScenarioHelp() {
  std::string out = "Twilio scenarios (by the last 4 digits of To; others behave like 0100):\n";
  for (const auto& s : callcontrol::provider_sim::AllScenarios()) {
    out += "  " + std::string(s.suffix) + "  " + std::string(s.name) + ": " +
           std::string(s.description) + "\n";
  }
  out += "Telnyx scenarios (by the last 4 digits of `to`; others behave like 0100):\n";
  for (const auto& s : callcontrol::provider_sim::AllTelnyxScenarios()) {
    out += "  " + std::string(s.suffix) + "  " + std::string(s.name) + ": " +
           std::string(s.description) + "\n";
  }
  out += "Exotel scenarios (by the last 4 digits of From; others behave like 0100):\n";
  for (const auto& s : callcontrol::provider_sim::AllExotelScenarios()) {
    out += "  " + std::string(s.suffix) + "  " + std::string(s.name) + ": " +
           std::string(s.description) + "\n";
  }
  out += "Bolna scenarios (by the last 4 digits of `to`; others behave like 0100):\n";
  for (const auto& s : callcontrol::provider_sim::AllBolnaScenarios()) {
    out += "  " + std::string(s.suffix) + "  " + std::string(s.name) + ": " +
           std::string(s.description) + "\n";
  }
  out +=
      "Voice-clone scenarios (by the last 4 digits of the voice name; others behave like "
      "0100):\n";
  for (const auto& s : callcontrol::provider_sim::AllVoiceScenarios()) {
    out += "  " + std::string(s.suffix) + "  " + std::string(s.name) + ": " +
           std::string(s.description) + "\n";
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  namespace sim = callcontrol::provider_sim;
  CLI::App app{
      "provider-sim: loopback stand-in for Twilio's REST API (Calls create/fetch/update), "
      "Telnyx Call Control (dial/hangup/retrieve), Exotel's Connect API (connect/call details), "
      "an ElevenLabs-shaped voice-clone API (POST /v1/voices/add) and Bolna executions "
      "(started through /sim/bolna/executions) that sends their webhooks on scripted timelines."};
  app.footer(ScenarioHelp());
  sim::SimServer::Options options;
  std::vector<std::string> accounts;
  std::vector<std::string> exotel_accounts;
  std::string log_level = "info";
  std::string telnyx_private_key_file;
  std::string telnyx_public_key_out;
  app.add_option("--listen", options.listen, "host:port to serve on (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--twilio-account", accounts,
                 std::string("Accepted Twilio account as SID:TOKEN (repeatable); default ") +
                     sim::kDefaultAccountSid + ":" + sim::kDefaultAuthToken)
      ->take_all();
  app.add_option("--telnyx-api-key", options.telnyx_api_keys,
                 std::string("Accepted Telnyx API key, sent as 'Authorization: Bearer KEY' "
                             "(repeatable); default ") +
                     sim::kDefaultTelnyxApiKey)
      ->take_all();
  app.add_option("--exotel-account", exotel_accounts,
                 std::string("Accepted Exotel account as SID:API_KEY:API_TOKEN (repeatable; HTTP "
                             "Basic API_KEY:API_TOKEN on /v1/Accounts/SID/...); default ") +
                     sim::kDefaultExotelAccountSid + ":" + sim::kDefaultExotelApiKey + ":" +
                     sim::kDefaultExotelApiToken)
      ->take_all();
  app.add_option("--voice-api-key", options.voice_api_keys,
                 std::string("Accepted voice-clone API key, sent as 'xi-api-key: KEY' on POST "
                             "/v1/voices/add (repeatable); default ") +
                     sim::kDefaultVoiceApiKey)
      ->take_all();
  app.add_option("--telnyx-private-key-file", telnyx_private_key_file,
                 "File holding the base64 Ed25519 seed that signs Telnyx webhooks: loaded if it "
                 "exists, else a new key is generated and written there (mode 0600). Without "
                 "it, a fresh key is generated at every start");
  app.add_option("--telnyx-public-key-out", telnyx_public_key_out,
                 "Write the base64 Telnyx webhook public key (one line) to this file");
  app.add_option("--time-scale", options.time_scale,
                 "Multiplies every scenario delay and retry back-off (1.0 = real seconds)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--webhook-retries", options.webhook_retries,
                 "Retries of a webhook (Twilio, Exotel callback, Telnyx event, Bolna webhook) that "
                 "got no response or a non-2xx status (back-off 100ms*2^k, scaled)")
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
  for (const std::string& spec : accounts) {
    auto account = sim::ParseTwilioAccount(spec);
    if (!account.ok()) {
      std::cerr << "provider-sim: --twilio-account: " << account.status().message() << "\n";
      return 2;
    }
    options.accounts.push_back(*std::move(account));
  }
  for (const std::string& spec : exotel_accounts) {
    auto account = sim::ParseExotelAccount(spec);
    if (!account.ok()) {
      std::cerr << "provider-sim: --exotel-account: " << account.status().message() << "\n";
      return 2;
    }
    options.exotel_accounts.push_back(*std::move(account));
  }

  if (!telnyx_private_key_file.empty()) {
    auto key = sim::LoadOrCreateTelnyxKeyFile(telnyx_private_key_file);
    if (!key.ok()) {
      std::cerr << "provider-sim: --telnyx-private-key-file: " << key.status().message() << "\n";
      return 2;
    }
    options.telnyx_private_key_base64 = key->private_key_base64;
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
  if (!telnyx_public_key_out.empty()) {
    const absl::Status written =
        sim::WriteTelnyxPublicKeyFile(telnyx_public_key_out, (*server)->telnyx_public_key());
    if (!written.ok()) {
      std::cerr << "provider-sim: --telnyx-public-key-out: " << written.message() << "\n";
      (*server)->Shutdown();
      return 1;
    }
  }
  std::printf("provider-sim listening on %s:%d\n", host.c_str(), (*server)->port());
  std::printf("provider-sim telnyx public key: %s\n", (*server)->telnyx_public_key().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  callcontrol::logging::Get("provider_sim")
      ->info("signal {} received, shutting down", signal_number);
  (*server)->Shutdown();
  return 0;
}
