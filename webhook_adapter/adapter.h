// webhook-adapter as a whole: the HTTP server, the webhook router and the client of callcontrold,
// started and stopped together. main.cc runs one; tests run one in-process on port 0.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "common/http/http_server.h"
#include "webhook_adapter/daemon_client.h"
#include "webhook_adapter/webhook_router.h"

namespace callcontrol::webhook_adapter {

// Larger webhook bodies get 413. Some providers' carry a whole call transcript, which passes the
// HTTP server's 64 KiB default on a long call.
inline constexpr size_t kMaxWebhookBodyBytes = 1024 * 1024;

// A running adapter. Serves on its own threads; call Shutdown() (or destroy it) from one thread
// that is not one of them.
class Adapter {
 public:
  struct Options {
    // Deadline of each call to the daemon.
    std::chrono::milliseconds daemon_deadline{5000};
    // Batching of webhook reports to the daemon (DaemonClient::Options).
    int daemon_batches_in_flight = DaemonClient::Options().max_batches_in_flight;
    int daemon_max_batch_size = DaemonClient::Options().max_batch_size;
    // How long Shutdown() lets webhooks in flight finish (they wait at most daemon_deadline for
    // the daemon, so the default covers them).
    std::chrono::milliseconds shutdown_grace{6000};
  };

  // Starts an adapter from config.adapter (listen, public_url, daemon_address, io_threads),
  // config.daemon.internal_api_key (the credential presented to the daemon) and config.tenants.
  // Returns kInvalidArgument for a bad public URL, listen address or io thread count, kUnavailable
  // if the listen address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Adapter>> Start(const config::Config& config,
                                                        const Options& options);

  // Shutdown().
  ~Adapter();
  Adapter(const Adapter&) = delete;
  Adapter& operator=(const Adapter&) = delete;

  // The bound HTTP port (the real one when config.adapter.listen asked for port 0).
  int port() const { return port_; }

  // Lets webhooks in flight finish (up to shutdown_grace) while new ones get 503, then stops the
  // HTTP server, closes the listening socket and cancels what is left of the daemon calls.
  // Idempotent.
  void Shutdown();

 private:
  Adapter(const Options& options, std::unique_ptr<DaemonClient> daemon,
          std::unique_ptr<WebhookRouter> router);

  const Options options_;
  std::unique_ptr<DaemonClient> daemon_;
  std::unique_ptr<WebhookRouter> router_;
  std::unique_ptr<http::HttpServer> http_;  // null once shut down
  int port_ = 0;
};

}  // namespace callcontrol::webhook_adapter
