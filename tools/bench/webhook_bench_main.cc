// webhook_bench: signed Twilio status-callback load for the webhook adapter
// (POST {url}/webhooks/twilio/{tenant}/status). Flags only; the engine is webhook_load.h.
// Exit status: 0 done, 1 run or self-test failure, 2 usage error.
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "providers/registry.h"
#include "providers/twilio/twilio_account.h"
#include "tools/bench/webhook_load.h"
#include "tools/bench/webhook_self_test.h"

namespace {

struct HostPort {
  std::string host;
  int port = 80;
};

// Accepts "http://HOST[:PORT]" (a trailing '/' is ignored); IPv6 hosts in brackets.
absl::StatusOr<HostPort> ParseHttpUrl(std::string url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--url must look like http://127.0.0.1:8080 (got ", url, ")"));
  }
  std::string authority = url.substr(kScheme.size());
  while (!authority.empty() && authority.back() == '/') {
    authority.pop_back();
  }
  if (authority.empty() || authority.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--url must be scheme://host[:port] with no path (got ", url, ")"));
  }
  HostPort hp;
  size_t colon = authority.rfind(':');
  const size_t bracket = authority.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &hp.port) || hp.port <= 0 ||
        hp.port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in --url ", url));
    }
    hp.host = authority.substr(0, colon);
  } else {
    hp.host = authority;
  }
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') {
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  }
  return hp;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "webhook_bench: sends signed Twilio status callbacks (4 per synthetic call: initiated, "
      "ringing, in-progress, completed) to POST {url}/webhooks/twilio/{tenant}/status and reports "
      "throughput and acknowledgement latency. Closed loop by default; --rate R for open loop."};
  std::string url = "http://127.0.0.1:8080";
  std::string public_url;
  std::string tenant = "acme";
  std::string auth_token;
  std::string account_sid;
  std::string config_path;
  std::string from = "+14155550100";
  int connections = 16;
  int threads = 1;
  double duration_seconds = 10;
  double rate = 0;
  int64_t call_duration = 30;
  int64_t precompute = -1;
  double drain_seconds = 5;
  uint64_t seed = 0;
  bool json = false;
  bool self_test = false;
  app.add_option("--url", url, "where the adapter listens: http://HOST:PORT")
      ->capture_default_str();
  app.add_option("--public-url", public_url,
                 "the URL Twilio is given (signed): scheme://host[:port]; default: the config's "
                 "adapter.public_url, else --url");
  app.add_option("--tenant", tenant, "tenant id in the webhook path")->capture_default_str();
  app.add_option("--auth-token", auth_token,
                 "tenant's Twilio auth token for X-Twilio-Signature (default: from --config)")
      ->envname("TWILIO_AUTH_TOKEN");
  app.add_option("--account-sid", account_sid,
                 "AccountSid sent in callbacks (default: from --config, else AC000…001)");
  app.add_option("--config", config_path,
                 "callcontrol JSON config: takes the tenant's auth token and account sid and "
                 "adapter.public_url from it");
  app.add_option("--from", from, "calling number (E.164)")->capture_default_str();
  app.add_option("--connections,-c", connections, "keep-alive connections")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--threads", threads, "event-loop threads of the generator")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--duration,-d", duration_seconds, "timed window in seconds (the tool stops)")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--rate,-r", rate, "open loop: total requests/s (0: closed loop)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--call-duration", call_duration, "CallDuration of each completed call, seconds")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--precompute-calls", precompute,
                 "calls built and signed before the window (-1: automatic)")
      ->capture_default_str();
  app.add_option("--drain", drain_seconds, "seconds to wait for late responses after the window")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--seed", seed, "CallSid generator seed (0: random)");
  app.add_flag("--json", json, "print one JSON object on stdout (the summary goes to stderr)");
  app.add_flag("--self-test", self_test,
               "check the generator against an in-process verifying HTTP server and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (self_test) {
    absl::Status status = callcontrol::bench::RunWebhookSelfTest(std::cout);
    if (!status.ok()) {
      std::cerr << "webhook_bench: " << status.message() << std::endl;
      return 1;
    }
    std::cout << "self-test passed" << std::endl;
    return 0;
  }

  if (!config_path.empty()) {
    absl::StatusOr<callcontrol::config::Config> config =
        callcontrol::providers::LoadConfig(config_path);
    if (!config.ok()) {
      std::cerr << "webhook_bench: " << config.status() << std::endl;
      return 2;
    }
    const callcontrol::config::TenantConfig* t = config->FindTenant(tenant);
    if (t == nullptr) {
      std::cerr << "webhook_bench: tenant " << tenant << " is not in " << config_path << std::endl;
      return 2;
    }
    const auto* account = callcontrol::twilio::AccountOf(*t);
    if (account == nullptr && (auth_token.empty() || account_sid.empty())) {
      std::cerr << "webhook_bench: tenant " << tenant << " has no twilio block in " << config_path
                << std::endl;
      return 2;
    }
    if (auth_token.empty()) auth_token = account->auth_token;
    if (account_sid.empty()) account_sid = account->account_sid;
    if (public_url.empty()) {
      public_url = config->adapter.public_url;
    }
  }
  if (auth_token.empty()) {
    std::cerr << "webhook_bench: an auth token is required (--auth-token, TWILIO_AUTH_TOKEN or "
                 "--config)"
              << std::endl;
    return 2;
  }
  absl::StatusOr<HostPort> target = ParseHttpUrl(url);
  if (!target.ok()) {
    std::cerr << "webhook_bench: " << target.status().message() << std::endl;
    return 2;
  }
  if (public_url.empty()) {
    public_url = url;
  }
  while (!public_url.empty() && public_url.back() == '/') {
    public_url.pop_back();
  }

  callcontrol::bench::WebhookLoadOptions options;
  options.host = target->host;
  options.port = target->port;
  options.target.host_header = url.substr(std::string_view("http://").size());
  while (!options.target.host_header.empty() && options.target.host_header.back() == '/') {
    options.target.host_header.pop_back();
  }
  options.target.path = absl::StrCat("/webhooks/twilio/", tenant, "/status");
  options.target.signed_url = public_url + options.target.path;
  options.target.auth_token = auth_token;
  if (!account_sid.empty()) {
    options.target.account_sid = account_sid;
  }
  options.target.from = from;
  options.target.call_duration_seconds = call_duration;
  options.connections = connections;
  options.threads = threads;
  options.duration = absl::Seconds(duration_seconds);
  options.rate = rate;
  options.precompute_calls = precompute;
  options.drain = absl::Seconds(drain_seconds);
  options.seed = seed;

  absl::StatusOr<callcontrol::bench::WebhookLoadReport> report =
      callcontrol::bench::RunWebhookLoad(options);
  if (!report.ok()) {
    std::cerr << "webhook_bench: " << report.status() << std::endl;
    return 1;
  }
  if (json) {
    std::cerr << FormatWebhookReport(*report);
    std::cout << WebhookReportJson(*report).dump() << std::endl;
  } else {
    std::cout << FormatWebhookReport(*report);
  }
  return 0;
}
