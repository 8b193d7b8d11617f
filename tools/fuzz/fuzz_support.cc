#include "tools/fuzz/fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "common/proto/field_limits.h"
#include "google/protobuf/util/message_differencer.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "providers/telnyx/telnyx_signature.h"
#include "providers/twilio/twilio_signature.h"
#include "providers/webhook_urls.h"

namespace callcontrol::fuzz {
namespace {

using providers::WebhookOutcome;

// Logging off once, before the first input (every refusal logs).
void QuietLogs() {
  static const bool quiet = [] {
    (void)logging::SetLevel("off");
    return true;
  }();
  (void)quiet;
}

std::string ConfigJson() {
  const absl::StatusOr<std::string> public_key = telnyx::PublicKeyOf(kTelnyxPrivateKey);
  Require(public_key.ok());
  using json = nlohmann::json;
  const json acme = {
      {"id", "acme"},
      {"provider", "twilio"},
      {"api_keys", {config::HashApiKey("fuzz-key-acme")}},
      {"webhook_token", kWebhookToken},
      {"twilio",
       {{"account_sid", "AC00000000000000000000000000000001"}, {"auth_token", kTwilioAuthToken}}},
      {"telnyx",
       {{"api_key", "KEY0123"},
        {"connection_id", "1494404757140276705"},
        {"public_key", *public_key}}},
      {"exotel",
       {{"account_sid", "exoacme1"},
        {"api_key", "key"},
        {"api_token", "token"},
        {"caller_id", "08033333333"},
        {"flow_url", "http://my.exotel.com/exoacme1/exoml/start_voice/1"}}}};
  const json globex = {{"id", "globex"},
                       {"provider", "bolna"},
                       {"api_keys", {config::HashApiKey("fuzz-key-globex")}},
                       {"webhook_token", kOtherWebhookToken}};
  const json initech = {{"id", "initech"},
                        {"provider", "twilio"},
                        {"api_keys", {config::HashApiKey("fuzz-key-initech")}},
                        {"twilio",
                         {{"account_sid", "AC00000000000000000000000000000002"},
                          {"auth_token", "initech-auth-token"}}}};
  const json root = {{"daemon", {{"internal_api_key", "fuzz-internal-key"}}},
                     {"adapter", {{"public_url", kPublicUrl}}},
                     {"tenants", {acme, globex, initech}}};
  return root.dump();
}

// Replaces every "@token" in `text` with kWebhookToken.
void ReplaceTokens(std::string* text) {
  static constexpr std::string_view kPlaceholder = "@token";
  for (size_t at = 0; (at = text->find(kPlaceholder, at)) != std::string::npos;) {
    text->replace(at, kPlaceholder.size(), kWebhookToken);
    at += kWebhookToken.size();
  }
}

std::string* MutableHeader(http::Request* request, std::string_view name) {
  for (auto& [n, v] : request->headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace

void PrintOutcome(const WebhookOutcome& outcome) {
  static const bool verbose = std::getenv("CALLCONTROL_FUZZ_VERBOSE") != nullptr;
  if (!verbose) return;
  static constexpr const char* kActions[] = {"respond", "report", "start_inbound",
                                             "clone_progress"};
  std::fprintf(stderr, "outcome: %s %d %s", kActions[static_cast<int>(outcome.action)],
               outcome.response.status, outcome.response.body.c_str());
  if (outcome.response.body.empty() || outcome.response.body.back() != '\n') {
    std::fprintf(stderr, "\n");
  }
}

bool CheckOutgoing(const google::protobuf::Message& message) {
  if (!proto::CheckStringFields(message).ok()) return false;
  std::string wire;
  Require(message.SerializeToString(&wire));
  std::unique_ptr<google::protobuf::Message> parsed(message.New());
  Require(parsed->ParseFromString(wire));
  Require(google::protobuf::util::MessageDifferencer::Equals(message, *parsed));
  return true;
}

bool CheckReport(const internal::v1::ReportProviderEventRequest& report) {
  Require(report.duration_seconds() >= -1);
  Require(report.provider_sequence() >= -1);
  Require(report.sip_response_code() >= 0);
  Require(report.recording().duration_seconds() >= 0);
  Require(report.price().amount_micros() >= 0);
  if (report.has_occurred_time()) {
    constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
    constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
    Require(report.occurred_time().seconds() >= kMinSeconds &&
            report.occurred_time().seconds() <= kMaxSeconds);
    Require(report.occurred_time().nanos() >= 0 && report.occurred_time().nanos() <= 999999999);
  }
  return CheckOutgoing(report);
}

void CheckOutcome(const WebhookOutcome& outcome) {
  Require(outcome.response.status >= 100 && outcome.response.status <= 599);
  if (outcome.verification_failed) {
    Require(outcome.action == WebhookOutcome::Action::kRespond);
    Require(outcome.response.status == 403);
  }
  if (outcome.action == WebhookOutcome::Action::kRespond) return;
  // Only a configured tenant's request reaches the daemon, and under that tenant.
  Require(FuzzConfig().FindTenant(outcome.tenant_id) != nullptr);
  switch (outcome.action) {
    case WebhookOutcome::Action::kRespond:
      break;
    case WebhookOutcome::Action::kReport:
      Require(outcome.report.tenant_id() == outcome.tenant_id);
      CheckReport(outcome.report);
      break;
    case WebhookOutcome::Action::kStartInbound:
      Require(outcome.start_inbound.tenant_id() == outcome.tenant_id);
      CheckOutgoing(outcome.start_inbound);
      break;
    case WebhookOutcome::Action::kCloneProgress:
      Require(outcome.clone_progress.tenant_id() == outcome.tenant_id);
      Require(outcome.clone_attempt >= 1);
      CheckOutgoing(outcome.clone_progress);
      break;
  }
}

const config::Config& FuzzConfig() {
  static const config::Config* const config = [] {
    QuietLogs();
    absl::StatusOr<config::Config> parsed = providers::ParseConfig(ConfigJson());
    Require(parsed.ok());
    return new config::Config(*std::move(parsed));
  }();
  return *config;
}

const providers::WebhookHandler& HandlerFor(std::string_view provider) {
  static auto* const handlers = [] {
    auto* built =
        new std::map<std::string, std::unique_ptr<providers::WebhookHandler>, std::less<>>;
    const providers::WebhookContext context{&FuzzConfig(), std::string(kPublicUrl)};
    for (const providers::Provider* p : providers::AllProviders()) {
      built->emplace(std::string(p->name()), p->NewWebhookHandler(context));
    }
    return built;
  }();
  const auto it = handlers->find(provider);
  Require(it != handlers->end() && it->second != nullptr);
  return *it->second;
}

http::Request ParseFuzzRequest(std::string_view input) {
  QuietLogs();
  http::Request request;
  std::string_view head = input;
  const size_t blank = input.find("\n\n");
  if (blank != std::string_view::npos) {
    head = input.substr(0, blank);
    request.body = std::string(input.substr(blank + 2));
  }
  bool first = true;
  while (!head.empty() || first) {
    const size_t eol = head.find('\n');
    const std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
    if (first) {
      first = false;
      const size_t space = line.find(' ');
      request.method = std::string(line.substr(0, space));
      if (space != std::string_view::npos) request.target = std::string(line.substr(space + 1));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    absl::AsciiStrToLower(&name);
    const std::string_view raw = line.substr(colon + 1);
    std::string value(absl::StripAsciiWhitespace(absl::string_view(raw.data(), raw.size())));
    if (value == "@now") value = std::to_string(absl::ToUnixSeconds(absl::Now()));
    ReplaceTokens(&value);
    request.headers.emplace_back(std::move(name), std::move(value));
  }
  ReplaceTokens(&request.target);
  const size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  return request;
}

void SignTwilio(http::Request* request) {
  std::string* signature = MutableHeader(request, "x-twilio-signature");
  if (signature == nullptr || *signature != "@sign") return;
  const absl::StatusOr<http::FormParams> form = http::ParseForm(request->body);
  *signature = twilio::ComputeSignature(kTwilioAuthToken, std::string(kPublicUrl) + request->target,
                                        form.ok() ? *form : http::FormParams());
}

void SignTelnyx(http::Request* request) {
  std::string* signature = MutableHeader(request, std::string(telnyx::kSignatureHeader));
  if (signature == nullptr || *signature != "@sign") return;
  const absl::StatusOr<std::string> signed_value = telnyx::SignWebhook(
      kTelnyxPrivateKey, request->Header(telnyx::kTimestampHeader), request->body);
  Require(signed_value.ok());
  *signature = *signed_value;
}

bool TenantAndAction(std::string_view path, std::string_view* tenant, std::string_view* action) {
  const std::optional<providers::WebhookPath> parts = providers::ParseWebhookPath(path);
  if (!parts.has_value() || parts->tenant.empty()) return false;
  *tenant = parts->tenant;
  *action = parts->action;
  return true;
}

void FuzzHandler(std::string_view provider, const uint8_t* data, size_t size) {
  http::Request request =
      ParseFuzzRequest(std::string_view(reinterpret_cast<const char*>(data), size));
  SignTwilio(&request);
  SignTelnyx(&request);
  std::string_view tenant;
  std::string_view action;
  if (!TenantAndAction(request.path, &tenant, &action)) return;
  const providers::WebhookHandler& handler = HandlerFor(provider);
  const std::vector<std::string>& actions = handler.actions();
  size_t index = 0;
  while (index < actions.size() && actions[index] != action) ++index;
  // The router never sends an action a handler does not serve; only Twilio's guards against it.
  if (index == actions.size() && provider != "twilio") return;
  const WebhookOutcome outcome = handler.Handle(index, tenant, request);
  PrintOutcome(outcome);
  CheckOutcome(outcome);
}

void SplitFirstLine(std::string_view input, std::string_view* first, std::string_view* rest) {
  const size_t eol = input.find('\n');
  if (eol == std::string_view::npos) {
    *first = std::string_view();
    *rest = input;
    return;
  }
  *first = input.substr(0, eol);
  *rest = input.substr(eol + 1);
}

}  // namespace callcontrol::fuzz
