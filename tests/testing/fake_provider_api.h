// Fake provider REST API for the provider client tests: a real HTTP server on 127.0.0.1 (ephemeral
// port) that records every request and answers each with a configurable response, or holds it
// unanswered so the client under test times out.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/http/http_server.h"

namespace callcontrol::testing {

// Thread-safe: the handler runs on the server's io thread while the test calls the methods below.
class FakeProviderApi {
 public:
  FakeProviderApi() = default;
  ~FakeProviderApi() { Stop(); }
  FakeProviderApi(const FakeProviderApi&) = delete;
  FakeProviderApi& operator=(const FakeProviderApi&) = delete;

  // Starts listening on 127.0.0.1:0. Request bodies larger than `max_body_bytes` get 413. Call
  // once. Returns http::HttpServer::Start's error (kUnavailable if no port can be bound).
  absl::Status Start(size_t max_body_bytes = http::HttpServer::Options{}.max_body_bytes) {
    http::HttpServer::Options options;
    options.listen = "127.0.0.1:0";
    options.max_body_bytes = max_body_bytes;
    auto server =
        http::HttpServer::Start(options, [this](http::Request&& request, http::Responder respond) {
          http::Response answer;
          {
            std::lock_guard lock(mu_);
            recorded_.push_back(std::move(request));
            if (hold_) {
              held_.push_back(std::move(respond));
              return;
            }
            if (!queued_.empty()) {
              answer = std::move(queued_.front());
              queued_.pop_front();
            } else {
              answer = answer_;
            }
          }
          respond(std::move(answer));
        });
    if (!server.ok()) return server.status();
    server_ = *std::move(server);
    port_ = server_->port();
    return absl::OkStatus();
  }

  // "http://127.0.0.1:<port>"; stays valid (and refuses connections) after Stop().
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Answers every later request with `status`, `body` and `content_type`. Until called, requests
  // get a default http::Response (200, empty text/plain body).
  void Answer(int status, std::string body, std::string content_type = "application/json") {
    std::lock_guard lock(mu_);
    answer_.status = status;
    answer_.body = std::move(body);
    answer_.content_type = std::move(content_type);
  }

  // Answers the next request (after those already queued) with `status`, `body` and
  // `content_type`, once; requests past the queue get what Answer() set.
  void AnswerNext(int status, std::string body, std::string content_type = "application/json") {
    http::Response response;
    response.status = status;
    response.body = std::move(body);
    response.content_type = std::move(content_type);
    std::lock_guard lock(mu_);
    queued_.push_back(std::move(response));
  }

  // Leaves every later request unanswered until Stop() (to make the client time out).
  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }

  // Every request received so far, in arrival order.
  std::vector<http::Request> Requests() const {
    std::lock_guard lock(mu_);
    return recorded_;
  }

  // Answers held requests with an empty http::Response, then shuts the server down so its port
  // refuses connections. Idempotent; the destructor calls it.
  void Stop() {
    std::vector<http::Responder> held;
    {
      std::lock_guard lock(mu_);
      hold_ = false;
      held.swap(held_);
    }
    for (auto& respond : held) respond(http::Response{});
    if (server_ != nullptr) server_->Shutdown();
  }

 private:
  int port_ = 0;
  mutable std::mutex mu_;
  http::Response answer_;
  std::deque<http::Response> queued_;
  bool hold_ = false;
  std::vector<http::Request> recorded_;
  std::vector<http::Responder> held_;
  // Last, so it is destroyed first: its io threads call the handler, which uses the members above.
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace callcontrol::testing
