#include "webhook_adapter/adapter.h"

#include <utility>

namespace callcontrol::webhook_adapter {

absl::StatusOr<std::unique_ptr<Adapter>> Adapter::Start(const config::Config& config,
                                                        const Options& options) {
  std::string public_url = config.adapter.public_url;
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  if (public_url.rfind("http://", 0) != 0 && public_url.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError("public URL must start with http:// or https://, got \"" +
                                      public_url + "\"");
  }
  if (public_url.find_first_of("?#", 0) != std::string::npos) {
    return absl::InvalidArgumentError("public URL must not have a query or fragment, got \"" +
                                      public_url + "\"");
  }
  if (config.adapter.io_threads < 1) {
    return absl::InvalidArgumentError("io threads must be at least 1");
  }
  DaemonClient::Options daemon_options;
  daemon_options.deadline = options.daemon_deadline;
  daemon_options.max_batches_in_flight = options.daemon_batches_in_flight;
  daemon_options.max_batch_size = options.daemon_max_batch_size;
  daemon_options.api_key = config.daemon.internal_api_key;
  auto daemon = DaemonClient::Create(config.adapter.daemon_address, daemon_options);
  if (!daemon.ok()) return daemon.status();
  auto router = std::make_unique<WebhookRouter>(config, std::move(public_url), daemon->get());
  std::unique_ptr<Adapter> adapter(new Adapter(options, *std::move(daemon), std::move(router)));

  http::HttpServer::Options http_options;
  http_options.listen = config.adapter.listen;
  http_options.io_threads = config.adapter.io_threads;
  http_options.max_body_bytes = kMaxWebhookBodyBytes;
  const WebhookRouter* router_ptr = adapter->router_.get();
  auto http = http::HttpServer::Start(
      http_options, [router_ptr](http::Request&& request, http::Responder respond) {
        router_ptr->Handle(std::move(request), std::move(respond));
      });
  if (!http.ok()) return http.status();
  adapter->http_ = *std::move(http);
  adapter->port_ = adapter->http_->port();
  return adapter;
}

Adapter::Adapter(const Options& options, std::unique_ptr<DaemonClient> daemon,
                 std::unique_ptr<WebhookRouter> router)
    : options_(options), daemon_(std::move(daemon)), router_(std::move(router)) {}

Adapter::~Adapter() { Shutdown(); }

void Adapter::Shutdown() {
  // 1. Drain the daemon calls while the HTTP server still runs: webhooks in flight get the
  //    daemon's answer; new ones get 503 at once (the provider retries). Draining before the
  //    server stops matters: once its acceptor is closed, its io threads may run out of work and
  //    exit, and an answer that arrives later from a gRPC thread would never be written.
  // 2. Stop the HTTP server: every answer is already queued on its io threads, so it stops as
  //    soon as they are written.
  // 3. Cancel whatever the grace left of the daemon calls and wait for their callbacks, which
  //    find the server stopped and do nothing.
  // 4. Destroy the server, which closes the listening socket for sure (HttpServer::Shutdown may
  //    stop its io threads before the close it posted has run). Safe now: no callback is left
  //    that could call one of its Responders.
  if (http_ != nullptr) {
    daemon_->Drain(options_.shutdown_grace);
    http_->Shutdown(options_.shutdown_grace);
  }
  daemon_->Shutdown();
  http_.reset();
}

}  // namespace callcontrol::webhook_adapter
