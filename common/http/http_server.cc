#include "common/http/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
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
}  // namespace

class HttpServer::Impl {
 public:
  Impl(const Options& options, Handler handler)
      : options_(options),
        handler_(std::move(handler)),
        ioc_(options.io_threads),
        work_(net::make_work_guard(ioc_)),
        acceptor_(net::make_strand(ioc_)) {}

  absl::Status Listen();
  void Run();
  void Shutdown(std::chrono::milliseconds grace);
  int port() const { return port_; }

  const Options options_;
  const Handler handler_;
  net::io_context ioc_;
  // Keeps the io threads running while a response may still come from another thread (a
  // handler's Responder), even when no socket operation is pending.
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
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
      : stream_(std::move(socket)), server_(server) {}

  void Start() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(server_->options_.max_body_bytes);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(server_->options_.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return WriteError(413, "request body too large\n");
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
    stream_.expires_after(std::chrono::seconds(30));
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                         self->OnWrite(ec, res->keep_alive());
                       });
  }

  void OnWrite(beast::error_code ec, bool keep_alive) {
    server_->in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (ec || !keep_alive) return Close();
    DoRead();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  HttpServer::Impl* server_;
  bool keep_alive_ = true;
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
      Logger()->warn("accept failed: {}", ec.message());
    } else {
      std::make_shared<Session>(std::move(socket), this)->Start();
    }
    DoAccept();
  });
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
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  if (auto s = impl->Listen(); !s.ok()) return s;
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(std::chrono::milliseconds grace) { impl_->Shutdown(grace); }

}  // namespace callcontrol::http
