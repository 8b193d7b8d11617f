#include "server/daemon.h"

#include <filesystem>

#include "absl/time/time.h"
#include "common/logging.h"
#include "server/api/authenticator.h"
#include "server/api/call_control_service.h"
#include "server/api/grpc_server.h"
#include "server/api/provider_event_service.h"
#include "server/calls/asio_runtime.h"
#include "server/calls/call_manager.h"
#include "server/calls/provider_clients.h"
#include "server/daemon_metrics.h"
#include "server/events/event_bus.h"
#include "server/observability/metric_families.h"
#include "server/observability/metrics_endpoint.h"
#include "server/providers/voice_clone_client.h"
#include "server/store/store.h"

namespace callcontrol {

namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("daemon");
  return logger;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Start(config::Config config) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->config_ = std::move(config);
  const config::DaemonConfig& dc = d->config_.daemon;

  const std::filesystem::path db_path(dc.db);
  if (db_path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(db_path.parent_path(), ec);
  }
  store::Store::Options store_options;
  store_options.event_retention = dc.event_retention;
  auto store = store::Store::Open(dc.db, store_options);
  if (!store.ok()) return store.status();
  d->store_ = *std::move(store);

  d->readers_ = std::make_unique<boost::asio::thread_pool>(2);
  d->provider_workers_ = std::make_unique<boost::asio::thread_pool>(dc.provider_workers);
  d->clone_workers_ = std::make_unique<boost::asio::thread_pool>(dc.clone_workers);
  d->durable_answers_ = std::make_unique<boost::asio::thread_pool>(1);
  d->runtime_ =
      std::make_unique<calls::PoolRuntime>(d->readers_.get(), d->provider_workers_.get(),
                                           d->clone_workers_.get(), d->durable_answers_.get());
  d->clients_ = calls::ProviderClients::FromRegistry();
  d->voice_cloner_ =
      std::make_unique<providers::VoiceCloneClient>(providers::VoiceCloneClient::Options{});
  calls::CallManager::Options manager_options;
  manager_options.metrics_event_interval = absl::Milliseconds(dc.metrics_event_interval_ms);
  d->manager_ = std::make_unique<calls::CallManager>(&d->config_, d->store_.get(),
                                                     d->clients_.get(), d->voice_cloner_.get(),
                                                     d->runtime_->runtime(), manager_options);

  // The bus must be listening before Load(), which may commit events of interrupted calls; once
  // loaded, it learns how far the durable log already goes, so resuming subscribers replay it.
  // Only that far: a subscriber told "published through" an event Load() is still committing
  // would replay up to it, not find it on disk yet, and then skip it when it is published.
  d->bus_ = std::make_unique<events::EventBus>(0);
  // On the writer thread after each commit: the manager only advances its durable sequence
  // (reads waiting for it are answered on durable_answers_), then the bus publishes.
  d->store_->SetCommitListener([bus = d->bus_.get(), manager = d->manager_.get()](
                                   const std::vector<const store::EventRow*>& events) {
    manager->OnDurable(events.back()->sequence);
    bus->Publish(events);
  });
  if (auto s = d->manager_->Load(); !s.ok()) return s;
  d->bus_->AdvanceTo(d->manager_->loaded_sequence());

  events::EventStreamReactor::Options stream_options;
  stream_options.queue_limit = static_cast<size_t>(dc.subscriber_queue_limit);
  stream_options.max_streams_per_tenant = static_cast<size_t>(dc.max_streams_per_tenant);
  d->auth_ = std::make_unique<api::Authenticator>(&d->config_);
  d->public_service_ = std::make_unique<api::CallControlServiceImpl>(
      d->auth_.get(), d->manager_.get(), d->bus_.get(), d->store_.get(), d->readers_.get(),
      stream_options);
  d->provider_event_service_ =
      std::make_unique<api::ProviderEventServiceImpl>(d->manager_.get(), d->auth_.get());
  auto server = api::StartGrpcServer(dc.grpc_listen,
                                     {d->public_service_.get(), d->provider_event_service_.get()});
  if (!server.ok()) return server.status();
  d->server_ = std::move(server->server);
  d->grpc_port_ = server->port;
  if (!dc.metrics_listen.empty()) {
    d->collectable_ = std::make_shared<observability::CallbackCollectable>(
        [manager = d->manager_.get(), bus = d->bus_.get(), store = d->store_.get()] {
          return CollectDaemonMetrics(*manager, *bus, *store);
        });
    auto endpoint = observability::MetricsEndpoint::Start(dc.metrics_listen, {d->collectable_});
    if (!endpoint.ok()) return endpoint.status();
    d->metrics_endpoint_ = *std::move(endpoint);
    Logger()->info("serving Prometheus metrics on {} port={}", dc.metrics_listen,
                   d->metrics_endpoint_->port());
  }
  Logger()->info("serving gRPC on {} port={} db={} tenants={}", dc.grpc_listen, d->grpc_port_,
                 dc.db, d->config_.tenants.size());
  return d;
}

int Daemon::metrics_port() const {
  return metrics_endpoint_ == nullptr ? 0 : metrics_endpoint_->port();
}

Daemon::~Daemon() { Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5)); }

void Daemon::Shutdown(std::chrono::system_clock::time_point deadline) {
  if (shut_down_) return;
  shut_down_ = true;
  if (metrics_endpoint_) metrics_endpoint_->Shutdown();
  if (server_) {
    Logger()->info("shutting down");
    server_->Shutdown(deadline);
    server_->Wait();
  }
  if (manager_) manager_->CancelTimers();  // clone deadlines and retries: do not wait for them
  if (provider_workers_) provider_workers_->join();
  if (clone_workers_) clone_workers_->join();
  if (readers_) readers_->join();
  if (manager_) manager_->Stop();  // publishes pending metrics events before the store closes
  // Commits everything queued, then answers: reads waiting for those commits are answered on
  // durable_answers_, joined next (none from RPCs are left: the server waited
  // for every RPC to finish, and the store kept committing meanwhile).
  if (store_) store_->Close();
  if (durable_answers_) durable_answers_->join();
  if (bus_) bus_->Stop();
  Logger()->info("stopped");
}

}  // namespace callcontrol
