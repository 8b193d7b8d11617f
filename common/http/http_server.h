// Event-driven HTTP/1.1 server (Boost.Beast) for webhook-adapter, provider-sim and the metrics
// endpoints.
//
// Keep-alive connections are served by a small pool of io threads with no thread per
// connection; TCP_NODELAY is set on every connection. A handler answers asynchronously: it gets
// a Responder it may call later from any thread (e.g. from a gRPC completion callback), so no io
// thread waits on the network.
//
// Clients that send nothing, or send slowly, cannot take the server down: the number of open
// connections is capped (Options::max_connections), a request must arrive whole within
// Options::request_timeout, and an idle keep-alive connection is closed after
// Options::idle_timeout. When accept() fails (EMFILE when out of file descriptors, ENFILE,
// ENOBUFS, ENOMEM, ...), the server retries after a delay that doubles from 10 ms up to 1 s and
// returns to 10 ms after the next accepted connection; meanwhile open connections keep being
// served, and the failure is logged at most once per second (with the number of failures not
// logged).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
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
    // Most connections open at once, >= 1; default 1024. A connection beyond it is accepted and
    // closed at once: the client gets "503 Service Unavailable" ("too many connections",
    // "Connection: close") and then EOF, or, if it had already sent more than 4 KiB, may see the
    // connection reset instead. It never waits in the listen queue nor makes the server spin.
    // Keep it below the process's file-descriptor limit (RLIMIT_NOFILE) with room for the rest of
    // the process.
    size_t max_connections = 1024;
    // Bytes of a request body, default 64 KiB. A larger body gets "413 Payload Too Large" and the
    // connection is closed.
    size_t max_body_bytes = 64 * 1024;
    // Bytes of a request's head (request line plus header fields), 1 to 4 GiB - 1; default
    // 16 KiB. A larger head gets "431 Request Header Fields Too Large" and the connection is
    // closed.
    size_t max_header_bytes = 16 * 1024;
    // Time a client has to send one whole request (head and body), > 0; default 10 s. It runs
    // from the accept on a new connection, and from the request's first byte on a keep-alive
    // connection. A client still short of a complete request then (slow-loris, or a connection
    // that sends nothing) is closed without a response: it sees EOF.
    std::chrono::milliseconds request_timeout{10'000};
    // Time a keep-alive connection may sit idle between a response and the first byte of the
    // next request, > 0; default 30 s. Then it is closed without a response (EOF).
    std::chrono::seconds idle_timeout{30};
  };

  // Binds, listens and starts the io threads. Returns kInvalidArgument for a malformed address or
  // an option out of its range, kUnavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const Options& options, Handler handler);

  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port.
  int port() const;

  // Counters, readable from any thread (for tests and diagnostics).
  // Connections open now: accepted and not yet closed, whether reading, waiting for their
  // handler or writing. At most Options::max_connections.
  size_t open_connections() const;
  // Connections refused with 503 because max_connections were open, since Start.
  uint64_t rejected_connections() const;
  // Failed accept() calls (EMFILE and the like), since Start. With the back-off these grow by
  // about one a second while the failure lasts.
  uint64_t accept_errors() const;

  // Stops accepting, waits up to `grace` for requests in flight to be answered, closes every
  // connection and joins the io threads. Idempotent.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callcontrol::http
