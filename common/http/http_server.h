// Event-driven HTTP/1.1 server (Boost.Beast) for webhook-adapter and provider-sim.
//
// Keep-alive connections are served by a small pool of io threads with no thread per
// connection; TCP_NODELAY is set on every connection. A handler answers asynchronously: it gets
// a Responder it may call later from any thread (e.g. from a gRPC completion callback), so no io
// thread waits on the network.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace callcontrol::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus "?query"
  std::string path;    // target up to '?'
  std::string query;   // after '?', without it; empty if none
  // Header names lower-cased, in wire order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Returns the first header named `name` (case-insensitive), or "" if absent.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Completes one request. Call exactly once, from any thread.
using Responder = std::function<void(Response)>;
// Called on an io thread for every request; must not block.
using Handler = std::function<void(Request&& request, Responder respond)>;

class HttpServer {
 public:
  struct Options {
    // "host:port"; port 0 picks a free port (see port()).
    std::string listen = "127.0.0.1:8080";
    int io_threads = 1;
    // Larger bodies get 413.
    size_t max_body_bytes = 64 * 1024;
    // An idle keep-alive connection is closed after this long.
    std::chrono::seconds idle_timeout{60};
  };

  // Binds, listens and starts the io threads. Returns kInvalidArgument for a malformed address,
  // kUnavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const Options& options, Handler handler);

  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port.
  int port() const;

  // Stops accepting, waits up to `grace` for requests in flight to be answered, closes every
  // connection and joins the io threads. Idempotent.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callcontrol::http
