#include "tools/provider_sim/webhook_sender.h"

#include <cmath>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"

namespace callcontrol::provider_sim {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("provider_sim");
  return logger;
}

// The URL without its query, for log lines (a query may carry tenant tokens).
std::string_view UrlForLog(std::string_view url) { return url.substr(0, url.find('?')); }

}  // namespace

WebhookSender::WebhookSender(const Options& options, Scheduler* scheduler)
    : options_(options), scheduler_(scheduler) {
  const int threads = options_.threads < 1 ? 1 : options_.threads;
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->thread = std::thread([this, w] { RunWorker(w); });
  }
}

WebhookSender::~WebhookSender() { Shutdown(); }

void WebhookSender::Send(Webhook webhook) { Enqueue(Job{std::move(webhook), 0}); }

void WebhookSender::Enqueue(Job job) {
  const std::string& key =
      job.webhook.order_key.empty() ? job.webhook.call_sid : job.webhook.order_key;
  const size_t shard = std::hash<std::string>{}(key) % workers_.size();
  Worker* w = workers_[shard].get();
  absl::MutexLock lock(&w->mu);
  if (w->stopping) return;
  w->queue.push_back(std::move(job));
  w->cv.Signal();
}

void WebhookSender::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  size_t dropped = 0;
  for (auto& w : workers_) {
    absl::MutexLock lock(&w->mu);
    w->stopping = true;
    dropped += w->queue.size();
    w->queue.clear();
    w->cv.SignalAll();
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  if (dropped > 0) {
    Logger()->info("shutdown dropped {} queued webhooks", dropped);
  }
}

void WebhookSender::RunWorker(Worker* w) {
  http::HttpClient client;
  while (true) {
    Job job;
    {
      absl::MutexLock lock(&w->mu);
      while (!w->stopping && w->queue.empty()) w->cv.Wait(&w->mu);
      if (w->stopping) return;
      job = std::move(w->queue.front());
      w->queue.pop_front();
    }
    Attempt(client, std::move(job));
  }
}

void WebhookSender::Attempt(http::HttpClient& client, Job job) {
  const Webhook& webhook = job.webhook;
  WebhookRequest built = webhook.render(job.attempt);
  http::ClientRequest request;
  request.method = std::move(built.method);
  request.url = std::move(built.url);
  request.body = std::move(built.body);
  request.headers = std::move(built.headers);
  request.connect_timeout = options_.connect_timeout;
  request.timeout = options_.timeout;

  DeliveryReport report;
  report.call_sid = webhook.call_sid;
  report.call_status = webhook.call_status;
  report.sequence_number = webhook.sequence_number;
  report.redelivery = webhook.redelivery;
  report.idempotency_token = webhook.idempotency_token;
  report.attempt = job.attempt;
  auto response = client.Send(request);
  report.at = absl::Now();
  bool delivered = false;
  if (response.ok()) {
    report.http_status = response->status;
    delivered = response->status >= 200 && response->status < 300;
  } else {
    report.error = std::string(response.status().message());
  }
  if (webhook.on_attempt) webhook.on_attempt(report);

  const int max_retries = webhook.max_retries < 0 ? options_.max_retries : webhook.max_retries;
  if (delivered) {
    Logger()->debug("webhook delivered call={} status={} seq={} attempt={}", webhook.call_sid,
                    webhook.call_status, webhook.sequence_number, job.attempt);
    if (webhook.on_done) webhook.on_done(report);
    return;
  }
  const std::string why = response.ok() ? absl::StrCat("HTTP ", report.http_status) : report.error;
  if (job.attempt >= max_retries) {
    if (webhook.on_done) webhook.on_done(report);
    Logger()->warn("webhook failed, giving up call={} status={} seq={} url={} after={} ({})",
                   webhook.call_sid, webhook.call_status, webhook.sequence_number,
                   UrlForLog(webhook.url), job.attempt + 1, why);
    return;
  }
  const double backoff_ms = 100.0 * std::ldexp(1.0, job.attempt) * options_.time_scale;
  Logger()->info("webhook failed, retrying call={} status={} seq={} attempt={} in={}ms ({})",
                 webhook.call_sid, webhook.call_status, webhook.sequence_number, job.attempt + 1,
                 static_cast<long>(backoff_ms), why);
  ++job.attempt;
  scheduler_->ScheduleAfter(std::chrono::duration_cast<Scheduler::Clock::duration>(
                                std::chrono::duration<double, std::milli>(backoff_ms)),
                            [this, job = std::move(job)]() mutable { Enqueue(std::move(job)); });
}

}  // namespace callcontrol::provider_sim
