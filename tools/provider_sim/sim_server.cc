#include "tools/provider_sim/sim_server.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "common/logging.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/sim_http.h"

namespace callcontrol::provider_sim {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;

// The host part of "host:port" / "[v6]:port".
std::string_view ListenHost(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  return colon == std::string_view::npos ? listen : listen.substr(0, colon);
}

// `options` without its providers.
SimServer::Options WithoutProviders(const SimServer::Options& options) {
  SimServer::Options out;
  out.listen = options.listen;
  out.time_scale = options.time_scale;
  out.webhook_retries = options.webhook_retries;
  out.webhook_threads = options.webhook_threads;
  out.io_threads = options.io_threads;
  out.allow_remote = options.allow_remote;
  out.max_ended_calls = options.max_ended_calls;
  return out;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  return absl::StartsWith(AbslView(host), "127.") || host == "::1" || host == "[::1]" ||
         host == "localhost";
}

SimServer::SimServer(Options options)
    : options_(WithoutProviders(options)), providers_(std::move(options.providers)) {}

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
  if (options.providers.empty()) options.providers = SimProviders();
  std::unique_ptr<SimServer> server(new SimServer(std::move(options)));
  const Options& o = server->options_;
  server->inspection_enabled_ = loopback;
  SimServer* raw = server.get();
  server->sender_ =
      std::make_unique<WebhookSender>(WebhookSender::Options{.threads = o.webhook_threads,
                                                             .max_retries = o.webhook_retries,
                                                             .time_scale = o.time_scale},
                                      &server->scheduler_);
  if (absl::Status s = server->sim_routes_.Add(
          "/sim/calls/", [raw](const http::Request& request,
                               http::Responder respond) { respond(raw->InspectAnyCall(request)); });
      !s.ok()) {
    return s;
  }
  const SimContext context{.time_scale = o.time_scale,
                           .max_ended_calls = o.max_ended_calls,
                           .scheduler = &server->scheduler_,
                           .sender = server->sender_.get()};
  const SimProviderRoutes routes{.api = &server->api_routes_, .sim = &server->sim_routes_};
  std::string summary;
  for (const auto& provider : server->providers_) {
    if (absl::Status s = provider->Start(context, routes); !s.ok()) return s;
    summary += provider->LogSummary();
  }
  http::HttpServer::Options http_options;
  http_options.listen = o.listen;
  // Voice-clone uploads carry audio files.
  http_options.max_body_bytes = kMaxBodyBytes;
  http_options.io_threads = o.io_threads;
  auto http = http::HttpServer::Start(http_options,
                                      [raw](http::Request&& request, http::Responder respond) {
                                        raw->Handle(std::move(request), std::move(respond));
                                      });
  if (!http.ok()) return http.status();
  server->http_ = *std::move(http);
  Logger()->info("provider-sim serving listen={} port={}{} time_scale={} retries={}", o.listen,
                 server->http_->port(), summary, o.time_scale, o.webhook_retries);
  return server;
}

SimServer::~SimServer() { Shutdown(); }

int SimServer::port() const { return http_->port(); }

void SimServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // Held and delayed requests are answered first so that no request stays in flight.
  for (const auto& provider : providers_) provider->Shutdown();
  if (http_ != nullptr) http_->Shutdown(std::chrono::milliseconds(1000));
  scheduler_.Shutdown();
  if (sender_ != nullptr) sender_->Shutdown();
  Logger()->info("provider-sim stopped");
}

void SimServer::Handle(http::Request&& request, http::Responder respond) {
  if (request.path == "/healthz") {
    http::Response response;
    response.body = "ok\n";
    return respond(std::move(response));
  }
  if (absl::StartsWith(AbslView(request.path), "/sim/")) {
    if (!inspection_enabled_) {
      return respond(
          SimError(403, "the /sim endpoints are served on a loopback listen address only"));
    }
    if (const SimHandler* handler = sim_routes_.Find(request.path)) {
      return (*handler)(request, std::move(respond));
    }
    if (request.method != "GET") return respond(SimError(405, "use GET"));
    return respond(SimError(404, "unknown simulator endpoint " + request.path));
  }
  if (const SimHandler* handler = api_routes_.Find(request.path)) {
    return (*handler)(request, std::move(respond));
  }
  respond(SimError(404, "no provider serves " + request.path));
}

http::Response SimServer::InspectAnyCall(const http::Request& request) const {
  return ServeInspection(request, "/sim/calls", "call", {},
                         [this](const std::string& id) -> std::optional<nlohmann::json> {
                           for (const auto& provider : providers_) {
                             if (auto view = provider->InspectCall(id); view.has_value())
                               return view;
                           }
                           return std::nullopt;
                         });
}

}  // namespace callcontrol::provider_sim
