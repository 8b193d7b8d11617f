#include "webhook_adapter/webhook_router.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "common/proto/field_limits.h"
#include "providers/registry.h"
#include "providers/webhook_checks.h"
#include "providers/webhook_urls.h"

namespace callcontrol::webhook_adapter {
namespace {

using providers::TextResponse;
using providers::WebhookOutcome;

// Counts and logs a daemon error on a webhook and returns the answer HttpStatusForDaemonCode
// gives for it.
http::Response DaemonErrorResponse(AdapterMetrics* metrics, const char* what,
                                   const absl::Status& status, const std::string& tenant_id,
                                   const std::string& call_ref) {
  metrics->DaemonError(status.code());
  const int http_status = HttpStatusForDaemonCode(status.code());
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    providers::WebhookLog().error(
        "{} not recorded: adapter internal_api_key rejected by callcontrold (set the same "
        "daemon.internal_api_key in both processes' config) http_status={} tenant={} {}",
        what, http_status, tenant_id, call_ref);
  } else {
    providers::WebhookLog().warn(
        "{} not recorded: code={} http_status={} tenant={} {} message=\"{}\"", what,
        absl::StatusCodeToString(status.code()), http_status, tenant_id, call_ref,
        std::string(status.message()));
  }
  return TextResponse(
      http_status, std::string(absl::StatusCodeToString(status.code())) + " from callcontrold\n");
}

}  // namespace

int HttpStatusForDaemonCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    default:
      return 500;
  }
}

std::string WebhookRoutesHelp() {
  const config::Config no_tenants;
  std::string help;
  for (const providers::Provider* provider : providers::AllProviders()) {
    const auto handler = provider->NewWebhookHandler({&no_tenants, ""});
    if (handler == nullptr) continue;
    help += "  POST ";
    help += providers::kWebhooksPrefix;
    help += provider->name();
    help += "/{tenant}";
    // "/a|b|c"; "[/a|b]" when the tenant itself ("" action) is served too.
    std::string named;
    bool at_tenant = false;
    for (const std::string& action : handler->actions()) {
      if (action.empty()) {
        at_tenant = true;
      } else {
        named += (named.empty() ? "/" : "|") + action;
      }
    }
    help += at_tenant && !named.empty() ? "[" + named + "]" : named;
    help += "  ";
    help += provider->display_name();
    help += ": ";
    help += handler->verification();
    help += "\n";
  }
  return help;
}

WebhookRouter::WebhookRouter(const config::Config& config, std::string public_url,
                             DaemonClient* daemon)
    : daemon_(daemon), clone_flow_(config, public_url) {
  const providers::WebhookContext context{&config, std::move(public_url)};
  std::vector<AdapterMetrics::ProviderRoutes> labels;
  for (const providers::Provider* provider : providers::AllProviders()) {
    auto handler = provider->NewWebhookHandler(context);
    if (handler == nullptr) continue;
    AdapterMetrics::ProviderRoutes& routes = labels.emplace_back();
    routes.provider = std::string(provider->name());
    for (size_t i = 0; i < handler->actions().size(); ++i) {
      routes.routes.emplace_back(handler->route_label(i));
    }
    entries_.push_back(Entry{provider, std::move(handler)});
  }
  metrics_ = std::make_unique<AdapterMetrics>(labels);
}

WebhookRouter::Match WebhookRouter::MatchWebhook(std::string_view path) const {
  Match match{entries_.size(), std::nullopt, metrics_->UnknownProviderRoute(), {}};
  const std::optional<providers::WebhookPath> parts = providers::ParseWebhookPath(path);
  if (!parts.has_value()) return match;
  const providers::Provider* provider = providers::FindProviderNamed(parts->provider);
  if (provider == nullptr) return match;
  match.entry = 0;
  while (match.entry < entries_.size() && entries_[match.entry].provider != provider) {
    ++match.entry;
  }
  if (match.entry == entries_.size()) return match;
  match.route = metrics_->UnknownRoute(match.entry);
  if (parts->tenant.empty() || parts->extra_segments) return match;
  const std::vector<std::string>& actions = entries_[match.entry].handler->actions();
  const auto action = std::find(actions.begin(), actions.end(), parts->action);
  if (action == actions.end()) return match;
  match.action = static_cast<size_t>(action - actions.begin());
  match.route = metrics_->ServedRoute(match.entry, *match.action);
  match.tenant = parts->tenant;
  return match;
}

void WebhookRouter::Handle(http::Request&& request, http::Responder respond) const {
  const std::string_view path = request.path;
  if (path.substr(0, providers::kWebhooksPrefix.size()) != providers::kWebhooksPrefix) {
    if (path == "/healthz") return HandleHealth(request, respond);
    if (path == "/metrics") return HandleMetrics(request, respond);
    return respond(TextResponse(404, "not found\n"));
  }

  const Match match = MatchWebhook(path);
  metrics_->WebhookReceived();
  http::Responder counted = [metrics = metrics_.get(), route = match.route,
                             start = std::chrono::steady_clock::now(),
                             respond = std::move(respond)](http::Response response) {
    metrics->WebhookAnswered(route, response.status, std::chrono::steady_clock::now() - start);
    respond(std::move(response));
  };
  if (!match.action.has_value()) return counted(TextResponse(404, "not found\n"));

  const Entry& entry = entries_[match.entry];
  if (const size_t limit = entry.handler->max_body_bytes(*match.action);
      request.body.size() > limit) {
    return counted(TextResponse(413, "body larger than " + std::to_string(limit) + " bytes\n"));
  }
  WebhookOutcome outcome = entry.handler->Handle(*match.action, match.tenant, request);
  if (outcome.verification_failed) metrics_->SignatureFailure(match.entry);
  CarryOut(std::move(outcome), std::move(counted));
}

void WebhookRouter::CarryOut(WebhookOutcome outcome, http::Responder respond) const {
  // What goes to the daemon must parse there: a field that is not UTF-8 (or is huge) gets this
  // webhook its own 400, instead of failing the whole batch it would have joined.
  const google::protobuf::Message* outgoing = nullptr;
  switch (outcome.action) {
    case WebhookOutcome::Action::kRespond:
      break;
    case WebhookOutcome::Action::kReport:
      outgoing = &outcome.report;
      break;
    case WebhookOutcome::Action::kStartInbound:
      outgoing = &outcome.start_inbound;
      break;
    case WebhookOutcome::Action::kCloneProgress:
      outgoing = &outcome.clone_progress;
      break;
  }
  if (outgoing != nullptr) {
    if (absl::Status fields = proto::CheckStringFields(*outgoing); !fields.ok()) {
      return respond(providers::RejectMalformed(outcome.what, fields, outcome.tenant_id).response);
    }
  }
  switch (outcome.action) {
    case WebhookOutcome::Action::kRespond:
      return respond(std::move(outcome.response));
    case WebhookOutcome::Action::kReport:
      return ForwardToDaemon(outcome.what, std::move(outcome.tenant_id),
                             std::move(outcome.call_ref), std::move(outcome.report),
                             std::move(outcome.response), std::move(respond));
    case WebhookOutcome::Action::kStartInbound:
      return daemon_->StartInboundCall(
          std::move(outcome.start_inbound),
          [this, what = outcome.what, tenant_id = std::move(outcome.tenant_id),
           call_ref = std::move(outcome.call_ref), respond = std::move(respond)](
              const absl::Status& status,
              const internal::v1::StartInboundCallResponse& response) mutable {
            if (!status.ok()) {
              return respond(
                  DaemonErrorResponse(metrics_.get(), what, status, tenant_id, call_ref));
            }
            respond(clone_flow_.IncomingCall(what, tenant_id, call_ref, response));
          });
    case WebhookOutcome::Action::kCloneProgress: {
      std::string call_id = outcome.clone_progress.call_id();
      return daemon_->GetCloneProgress(
          std::move(outcome.clone_progress),
          [this, what = outcome.what, attempt = outcome.clone_attempt,
           tenant_id = std::move(outcome.tenant_id), call_id = std::move(call_id),
           call_ref = std::move(outcome.call_ref), respond = std::move(respond)](
              const absl::Status& status,
              const internal::v1::GetCloneProgressResponse& response) mutable {
            std::optional<http::Response> answer = clone_flow_.CloneProgress(
                what, tenant_id, call_id, call_ref, attempt, status, response);
            if (!answer.has_value()) {
              return respond(
                  DaemonErrorResponse(metrics_.get(), what, status, tenant_id, call_ref));
            }
            respond(*std::move(answer));
          });
    }
  }
}

void WebhookRouter::ForwardToDaemon(const char* what, std::string tenant_id, std::string call_ref,
                                    internal::v1::ReportProviderEventRequest report,
                                    http::Response success, http::Responder respond) const {
  daemon_->ReportProviderEvent(
      std::move(report),
      [what, metrics = metrics_.get(), respond = std::move(respond), success = std::move(success),
       tenant_id = std::move(tenant_id), call_ref = std::move(call_ref)](
          const absl::Status& status, const internal::v1::ReportProviderEventResponse&) mutable {
        if (status.ok()) return respond(std::move(success));
        respond(DaemonErrorResponse(metrics, what, status, tenant_id, call_ref));
      });
}

void WebhookRouter::HandleHealth(const http::Request& request,
                                 const http::Responder& respond) const {
  if (request.method != "GET") return respond(providers::MethodNotAllowed("GET"));
  http::Response response;
  response.content_type = "application/json";
  response.body = "{\"status\":\"ok\",\"daemon\":\"";
  response.body.append(daemon_->ChannelState());
  response.body.append("\"}");
  respond(std::move(response));
}

void WebhookRouter::HandleMetrics(const http::Request& request,
                                  const http::Responder& respond) const {
  if (request.method != "GET") return respond(providers::MethodNotAllowed("GET"));
  http::Response response;
  response.content_type = kPrometheusContentType;
  response.body = metrics_->Serialize();
  respond(std::move(response));
}

}  // namespace callcontrol::webhook_adapter
