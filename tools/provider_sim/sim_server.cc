#include "tools/provider_sim/sim_server.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/twilio_errors.h"

namespace callcontrol::provider_sim {
namespace {

constexpr size_t kDefaultListLimit = 1000;

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

http::Response Json(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = body.dump();
  return response;
}

// The host part of "host:port" / "[v6]:port".
std::string_view ListenHost(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  return colon == std::string_view::npos ? listen : listen.substr(0, colon);
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  return absl::StartsWith(AbslView(host), "127.") || host == "::1" || host == "[::1]" ||
         host == "localhost";
}

SimServer::SimServer(Options options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<SimServer>> SimServer::Start(Options options) {
  if (!(options.time_scale > 0)) {
    return absl::InvalidArgumentError("time scale must be greater than 0");
  }
  if (options.webhook_retries < 0) {
    return absl::InvalidArgumentError("webhook retries must be 0 or more");
  }
  if (options.webhook_threads < 1 || options.io_threads < 1) {
    return absl::InvalidArgumentError("thread counts must be at least 1");
  }
  const bool loopback = IsLoopbackHost(ListenHost(options.listen));
  if (!loopback && !options.allow_remote) {
    return absl::InvalidArgumentError("refusing to listen on non-loopback address " +
                                      options.listen + " (pass --allow-remote to do it anyway)");
  }
  if (options.accounts.empty()) {
    options.accounts.push_back({kDefaultAccountSid, kDefaultAuthToken});
  }
  std::unique_ptr<SimServer> server(new SimServer(std::move(options)));
  const Options& o = server->options_;
  server->inspection_enabled_ = loopback;
  SimServer* raw = server.get();
  server->sender_ = std::make_unique<WebhookSender>(
      WebhookSender::Options{.threads = o.webhook_threads,
                             .max_retries = o.webhook_retries,
                             .time_scale = o.time_scale},
      &server->scheduler_,
      [raw](const DeliveryReport& report) { raw->engine_->RecordDelivery(report); });
  server->engine_ = std::make_unique<CallEngine>(
      CallEngine::Options{.time_scale = o.time_scale, .max_ended_calls = o.max_ended_calls},
      &server->scheduler_, server->sender_.get());
  server->api_ = std::make_unique<TwilioApi>(o.accounts, server->engine_.get());
  http::HttpServer::Options http_options;
  http_options.listen = o.listen;
  http_options.io_threads = o.io_threads;
  auto http = http::HttpServer::Start(http_options,
                                      [raw](http::Request&& request, http::Responder respond) {
                                        raw->Handle(std::move(request), std::move(respond));
                                      });
  if (!http.ok()) return http.status();
  server->http_ = *std::move(http);
  logging::Get("provider_sim")
      ->info("provider-sim serving listen={} port={} accounts={} time_scale={} retries={}",
             o.listen, server->http_->port(), o.accounts.size(), o.time_scale, o.webhook_retries);
  return server;
}

SimServer::~SimServer() { Shutdown(); }

int SimServer::port() const { return http_->port(); }

void SimServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (http_ != nullptr) http_->Shutdown(std::chrono::milliseconds(1000));
  scheduler_.Shutdown();
  if (sender_ != nullptr) sender_->Shutdown();
  logging::Get("provider_sim")->info("provider-sim stopped");
}

void SimServer::Handle(http::Request&& request, http::Responder respond) {
  if (request.path == "/healthz") {
    http::Response response;
    response.body = "ok\n";
    return respond(std::move(response));
  }
  if (request.path == "/sim/calls" || absl::StartsWith(AbslView(request.path), "/sim/calls/")) {
    return respond(HandleInspection(request));
  }
  if (absl::StartsWith(AbslView(request.path), "/2010-04-01/")) {
    return respond(api_->Handle(request));
  }
  const absl::Status not_found =
      TwilioError(absl::StatusCode::kNotFound, 20404,
                  "The requested resource " + request.path + " was not found");
  http::Response response;
  response.status = 404;
  response.content_type = "application/json; charset=utf-8";
  response.body = TwilioErrorJson(not_found);
  respond(std::move(response));
}

http::Response SimServer::HandleInspection(const http::Request& request) {
  if (!inspection_enabled_) {
    return Json(403,
                {{"error", "the /sim endpoints are served on a loopback listen address only"}});
  }
  if (request.method != "GET") return Json(405, {{"error", "use GET"}});
  if (request.path == "/sim/calls") {
    size_t limit = kDefaultListLimit;
    if (auto query = http::ParseForm(request.query); query.ok()) {
      if (const std::string* value = http::FindParam(*query, "limit")) {
        if (!absl::SimpleAtoi(*value, &limit)) {
          return Json(400, {{"error", "limit must be a non-negative integer"}});
        }
      }
    }
    return Json(200, InspectionListJson(engine_->ListCalls(limit)));
  }
  const std::string sid = request.path.substr(std::string_view("/sim/calls/").size());
  auto call = engine_->InspectCall(sid);
  if (!call.ok()) return Json(404, {{"error", std::string(call.status().message())}});
  return Json(200, InspectionJson(*call));
}

}  // namespace callcontrol::provider_sim
