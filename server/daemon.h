// callcontrold as one object: opens the store, loads state, starts the worker pools, the event
// bus and the gRPC server, and shuts them down in order. The only place (with main.cc) that
// reads configuration.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "absl/status/statusor.h"
#include "common/config/config.h"

namespace grpc {
class Server;
}

namespace prometheus {
class Collectable;
}

namespace callcontrol {
namespace observability {
class MetricsEndpoint;
}
namespace store {
class Store;
}
namespace events {
class EventBus;
}
namespace calls {
class CallManager;
class PoolRuntime;
class ProviderClients;
}  // namespace calls
namespace providers {
class VoiceCloneClient;
}
namespace api {
class Authenticator;
class CallControlServiceImpl;
class ProviderEventServiceImpl;
}  // namespace api

class Daemon {
 public:
  // Starts serving `config`. Returns the first startup error (database not writable: kUnavailable;
  // gRPC address not bindable: kUnavailable; bad config: kInvalidArgument).
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(config::Config config);
  ~Daemon();

  // The bound gRPC port.
  int grpc_port() const { return grpc_port_; }
  // The bound Prometheus port, or 0 when daemon.metrics_listen is empty.
  int metrics_port() const;

  // Stops accepting RPCs, lets those in flight finish until `deadline` (then cancels them), waits
  // for provider requests, commits what is queued and closes the database. Idempotent.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  Daemon() = default;

  config::Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<boost::asio::thread_pool> readers_;
  std::unique_ptr<boost::asio::thread_pool> provider_workers_;
  std::unique_ptr<boost::asio::thread_pool> clone_workers_;  // voice-clone uploads
  // Answers reads that a commit made durable; joined after the store closed.
  std::unique_ptr<boost::asio::thread_pool> durable_answers_;
  std::unique_ptr<calls::PoolRuntime> runtime_;
  std::unique_ptr<calls::ProviderClients> clients_;  // one per provider with a call client
  std::unique_ptr<providers::VoiceCloneClient> voice_cloner_;
  std::unique_ptr<api::Authenticator> auth_;
  std::unique_ptr<calls::CallManager> manager_;
  std::unique_ptr<events::EventBus> bus_;
  std::unique_ptr<api::CallControlServiceImpl> public_service_;
  std::unique_ptr<api::ProviderEventServiceImpl> provider_event_service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<prometheus::Collectable> collectable_;
  std::unique_ptr<observability::MetricsEndpoint> metrics_endpoint_;
  int grpc_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace callcontrol
