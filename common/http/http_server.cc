#include "common/http/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <cstdint>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/logging.h"

namespace callcontrol::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, absl::string_view(name.data(), name.size()))) return v;
  }
  return {};
}

namespace {
class Session;

// Accept back-off: the first retry after a failed accept() waits this long, each further failure
// doubles the wait up to kMaxAcceptDelay, and an accepted connection resets it.
constexpr std::chrono::milliseconds kMinAcceptDelay{10};
constexpr std::chrono::milliseconds kMaxAcceptDelay{1000};
// Write timeout of a response.
constexpr std::chrono::seconds kWriteTimeout{30};
// After an error response (400, 413, 431) the server reads and discards what the client still
// sends, for up to this long and this many bytes, before it closes; see Session::LingerClose.
constexpr std::chrono::milliseconds kLingerTimeout{1000};
constexpr size_t kMaxLingerBytes = 1024 * 1024;
// Read size while waiting for a keep-alive connection's next request, and while discarding.
constexpr size_t kReadChunkBytes = 4096;

// What a connection beyond Options::max_connections gets before it is closed.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Server: callcontrol\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 21\r\n"
    "Connection: close\r\n"
    "\r\n"
    "too many connections\n";

// At most one log line a second; counts the lines it held back. Not thread-safe (used on the
// acceptor's strand only).
class LogLimiter {
 public:
  // True if a line may be logged now; then *held_back is the number of lines held back since
  // the previous one.
  bool Allow(uint64_t* held_back) {
    const auto now = std::chrono::steady_clock::now();
    if (logged_once_ && now - last_ < std::chrono::seconds(1)) {
      ++held_back_;
      return false;
    }
    logged_once_ = true;
    last_ = now;
    *held_back = held_back_;
    held_back_ = 0;
    return true;
  }

 private:
  bool logged_once_ = false;
  std::chrono::steady_clock::time_point last_;
  uint64_t held_back_ = 0;
};
}  // namespace

class HttpServer::Impl {
 public:
  Impl(const Options& options, Handler handler)
      : options_(options),
        handler_(std::move(handler)),
        ioc_(options.io_threads),
        work_(net::make_work_guard(ioc_)),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_(acceptor_.get_executor()) {}

  absl::Status Listen();
  void Run();
  void Shutdown(std::chrono::milliseconds grace);
  int port() const { return port_; }

  const Options options_;
  const Handler handler_;
  // Declared before ioc_, so they outlive the sessions that ioc_'s destruction may destroy.
  std::atomic<size_t> open_connections_{0};
  std::atomic<uint64_t> rejected_connections_{0};
  std::atomic<uint64_t> accept_errors_{0};
  net::io_context ioc_;
  // Keeps the io threads running while a response may still come from another thread (a
  // handler's Responder), even when no socket operation is pending.
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  // The accept back-off, on acceptor_'s strand; so are the three members after it.
  net::steady_timer accept_retry_;
  std::chrono::milliseconds accept_delay_ = kMinAcceptDelay;
  LogLimiter accept_error_log_;
  LogLimiter rejected_log_;
  std::vector<std::thread> threads_;
  std::atomic<int> in_flight_{0};
  // Sessions waiting for their handler's response. Responders hold only weak references, so a
  // responder called after Shutdown finds nothing and a session never outlives ioc_.
  std::mutex pending_mu_;
  bool accepting_responses_ = true;
  absl::flat_hash_set<std::shared_ptr<Session>> pending_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  bool shut_down_ = false;

 private:
  void DoAccept();
  // Schedules the next accept after the back-off delay, and logs (rate-limited).
  void OnAcceptError(const beast::error_code& ec);
  // Answers 503 to a connection beyond max_connections and closes it, without blocking.
  void Reject(tcp::socket socket);
};

namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("http");
  return logger;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  friend class HttpServer::Impl;
  Session(tcp::socket&& socket, HttpServer::Impl* server)
      : stream_(std::move(socket)), server_(server) {
    server_->open_connections_.fetch_add(1, std::memory_order_relaxed);
  }
  // The socket closes here, once no operation or responder holds the session.
  ~Session() { server_->open_connections_.fetch_sub(1, std::memory_order_relaxed); }

  void Start() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadRequest, shared_from_this()));
  }

 private:
  // Reads one whole request, which must arrive within request_timeout (on a new connection
  // counted from the accept, on a keep-alive one from the request's first byte).
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(server_->options_.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_->options_.max_header_bytes));
    stream_.expires_after(server_->options_.request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  // On a keep-alive connection after a response: waits up to idle_timeout for the first byte of
  // the next request (unless it is here already, pipelined), then reads the request.
  void AwaitNextRequest() {
    if (buffer_.size() > 0) return ReadRequest();
    stream_.expires_after(server_->options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->Close();  // EOF, idle timeout, reset
                              self->ReadRequest();
                            });
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return WriteError(413, "request body too large\n");
    }
    if (ec == bhttp::error::header_limit) {
      return WriteError(431, "request header fields too large\n");
    }
    if (ec) {
      return WriteError(400, "malformed HTTP request\n");
    }
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    const size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    request.headers.reserve(8);
    for (const auto& field : req) {
      const auto name = field.name_string();
      request.headers.emplace_back(
          absl::AsciiStrToLower(absl::string_view(name.data(), name.size())),
          std::string(field.value()));
    }
    request.body = std::move(req.body());
    server_->in_flight_.fetch_add(1, std::memory_order_relaxed);
    auto self = shared_from_this();
    {
      std::lock_guard lock(server_->pending_mu_);
      server_->pending_.insert(self);
    }
    std::weak_ptr<Session> weak = self;
    HttpServer::Impl* server = server_;
    server_->handler_(std::move(request), [weak, server](Response response) {
      std::lock_guard lock(server->pending_mu_);
      auto session = weak.lock();
      if (!server->accepting_responses_ || session == nullptr ||
          server->pending_.erase(session) == 0) {
        return;  // server shut down, or answered already
      }
      net::post(session->stream_.get_executor(),
                [session, response = std::move(response)]() mutable {
                  session->Write(std::move(response));
                });
    });
  }

  void WriteError(int status, std::string body) {
    keep_alive_ = false;
    linger_ = true;
    server_->in_flight_.fetch_add(1, std::memory_order_relaxed);
    Response r;
    r.status = status;
    r.body = std::move(body);
    Write(std::move(r));
  }

  void Write(Response response) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), version_ ? version_ : 11);
    res->set(bhttp::field::server, "callcontrol");
    res->set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(keep_alive_ && !server_->stopping_.load(std::memory_order_relaxed));
    res->body() = std::move(response.body);
    res->prepare_payload();
    stream_.expires_after(kWriteTimeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         self->OnWrite(ec, res->keep_alive());
                       });
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    server_->in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (ec) return Close();
    if (!keep_alive) return linger_ ? LingerClose() : Close();
    AwaitNextRequest();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // After an error response the client may still be sending the rest of its request. Closing a
  // socket with unread bytes resets the connection, which can destroy the response before the
  // client has read it; so stop sending, then read and discard until the client closes, for at
  // most kLingerTimeout and kMaxLingerBytes.
  void LingerClose() {
    Close();
    stream_.expires_after(kLingerTimeout);
    Discard();
  }

  void Discard() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ >= kMaxLingerBytes) return;
                              self->Discard();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer::Impl* server_;
  bool keep_alive_ = true;
  bool linger_ = false;  // the response is an error: LingerClose after it
  size_t discarded_ = 0;
  unsigned version_ = 11;
};

}  // namespace

absl::Status HttpServer::Impl::Listen() {
  const size_t colon = options_.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(options_.listen.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError("listen address must be host:port, got \"" + options_.listen +
                                      "\"");
  }
  std::string host = options_.listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError("cannot resolve listen host \"" + host + "\"");
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError("cannot listen on " + options_.listen + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return absl::OkStatus();
}

void HttpServer::Impl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      return OnAcceptError(ec);
    }
    accept_delay_ = kMinAcceptDelay;
    if (open_connections_.load(std::memory_order_relaxed) >= options_.max_connections) {
      Reject(std::move(socket));
    } else {
      std::make_shared<Session>(std::move(socket), this)->Start();
    }
    DoAccept();
  });
}

void HttpServer::Impl::OnAcceptError(const beast::error_code& ec) {
  // Retrying at once would spin: the failed connection stays in the listen queue, so accept()
  // fails again until a descriptor frees up. Open connections keep being served meanwhile.
  accept_errors_.fetch_add(1, std::memory_order_relaxed);
  const std::chrono::milliseconds delay = accept_delay_;
  accept_delay_ = std::min(accept_delay_ * 2, kMaxAcceptDelay);
  uint64_t held_back = 0;
  if (accept_error_log_.Allow(&held_back)) {
    Logger()->warn(
        "accept failed: {}; retrying in {} ms; open_connections={} (+{} failures not logged)",
        ec.message(), delay.count(), open_connections_.load(std::memory_order_relaxed), held_back);
  }
  accept_retry_.expires_after(delay);
  accept_retry_.async_wait([this](beast::error_code wait_ec) {
    if (wait_ec || !acceptor_.is_open()) return;  // cancelled by Shutdown
    DoAccept();
  });
}

void HttpServer::Impl::Reject(tcp::socket socket) {
  rejected_connections_.fetch_add(1, std::memory_order_relaxed);
  uint64_t held_back = 0;
  if (rejected_log_.Allow(&held_back)) {
    Logger()->warn("refusing a connection: max_connections={} open (+{} refusals not logged)",
                   options_.max_connections, held_back);
  }
  // Non-blocking throughout: the acceptor's strand never waits on a client. Read what the client
  // has sent already, so the close sends FIN rather than RST and the client can read the 503.
  beast::error_code ec;
  socket.non_blocking(true, ec);
  std::array<char, kReadChunkBytes> discard;
  socket.read_some(net::buffer(discard), ec);
  socket.write_some(net::buffer(kTooManyConnections.data(), kTooManyConnections.size()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void HttpServer::Impl::Run() {
  DoAccept();
  threads_.reserve(options_.io_threads);
  for (int i = 0; i < options_.io_threads; ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
}

void HttpServer::Impl::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.store(true);
  // Stop accepting now (on the acceptor's strand), and wait until that has happened, so new
  // connections are refused rather than left hanging.
  std::promise<void> closed;
  net::post(acceptor_.get_executor(), [this, &closed] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
    closed.set_value();
  });
  closed.get_future().wait_for(std::chrono::seconds(1));
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  {
    std::lock_guard lock(pending_mu_);
    accepting_responses_ = false;
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  beast::error_code ec;
  acceptor_.close(ec);  // in case the posted close never ran
  std::lock_guard lock(pending_mu_);
  pending_.clear();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Shutdown(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options,
                                                              Handler handler) {
  if (options.io_threads < 1) {
    return absl::InvalidArgumentError("io_threads must be at least 1");
  }
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError("max_connections must be at least 1");
  }
  if (options.max_header_bytes < 1 || options.max_header_bytes > UINT32_MAX) {
    return absl::InvalidArgumentError("max_header_bytes must be between 1 and 2^32 - 1");
  }
  if (options.request_timeout <= std::chrono::milliseconds::zero() ||
      options.idle_timeout <= std::chrono::seconds::zero()) {
    return absl::InvalidArgumentError("request_timeout and idle_timeout must be positive");
  }
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  if (auto s = impl->Listen(); !s.ok()) return s;
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port(); }

size_t HttpServer::open_connections() const {
  return impl_->open_connections_.load(std::memory_order_relaxed);
}

uint64_t HttpServer::rejected_connections() const {
  return impl_->rejected_connections_.load(std::memory_order_relaxed);
}

uint64_t HttpServer::accept_errors() const {
  return impl_->accept_errors_.load(std::memory_order_relaxed);
}

void HttpServer::Shutdown(std::chrono::milliseconds grace) { impl_->Shutdown(grace); }

}  // namespace callcontrol::http
