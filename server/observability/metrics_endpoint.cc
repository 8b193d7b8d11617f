#include "server/observability/metrics_endpoint.h"

#include <chrono>
#include <exception>
#include <set>
#include <sstream>
#include <utility>

#include "common/http/http_server.h"
#include "common/logging.h"
#include "prometheus/check_names.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace callcontrol::observability {
namespace {

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("metrics");
  return logger;
}

using Collectables = std::vector<std::weak_ptr<prometheus::Collectable>>;

// Why `family` cannot be exposed, or "" if it can.
std::string Invalid(const prometheus::MetricFamily& family) {
  if (!prometheus::CheckMetricName(family.name)) return "invalid metric name";
  for (const auto& metric : family.metric) {
    for (const auto& label : metric.label) {
      if (!prometheus::CheckLabelName(label.name))
        return "invalid label name \"" + label.name + "\"";
    }
  }
  return "";
}

// Escapes `\` and a line feed in a HELP text as the exposition format requires.
std::string EscapeHelp(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Whether prometheus::TextSerializer escapes HELP texts itself (1.0.1, Debian 12's, writes them
// raw, so a line feed in a help would break the page; later versions may escape).
bool SerializerEscapesHelp() {
  static const bool escapes = [] {
    prometheus::MetricFamily probe;
    probe.name = "probe";
    probe.help = "\n";
    probe.type = prometheus::MetricType::Untyped;
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, {probe});
    return out.str().find("# HELP probe \\n") != std::string::npos;
  }();
  return escapes;
}

// The exposition page for `collectables`. Throws what a Collect() throws.
std::string Render(const Collectables& collectables) {
  std::vector<prometheus::MetricFamily> families;
  std::set<std::string> names;
  for (const auto& weak : collectables) {
    const std::shared_ptr<prometheus::Collectable> collectable = weak.lock();
    if (collectable == nullptr) continue;
    for (auto& family : collectable->Collect()) {
      std::string why = Invalid(family);
      if (why.empty() && !names.insert(family.name).second) why = "duplicate family name";
      if (!why.empty()) {
        Logger()->warn("metric family left out of /metrics name=\"{}\": {}", family.name, why);
        continue;
      }
      if (!SerializerEscapesHelp()) family.help = EscapeHelp(family.help);
      families.push_back(std::move(family));
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return std::move(out).str();
}

http::Response Text(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

void Serve(const Collectables& collectables, const http::Request& request,
           const http::Responder& respond) {
  const bool metrics = request.path == "/metrics";
  if (!metrics && request.path != "/healthz") {
    respond(Text(404, "not found\n"));
    return;
  }
  if (request.method != "GET") {
    http::Response response = Text(405, "method not allowed\n");
    response.headers.emplace_back("Allow", "GET");
    respond(std::move(response));
    return;
  }
  if (!metrics) {
    respond(Text(200, "ok\n"));
    return;
  }
  http::Response response;
  try {
    response.body = Render(collectables);
  } catch (const std::exception& e) {
    Logger()->error("collecting metrics failed: {}", e.what());
    respond(Text(500, "collecting metrics failed\n"));
    return;
  }
  response.content_type = kPrometheusTextContentType;
  respond(std::move(response));
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen, std::vector<std::weak_ptr<prometheus::Collectable>> collectables) {
  auto shared = std::make_shared<const Collectables>(std::move(collectables));
  http::HttpServer::Options options;
  options.listen = listen;
  options.io_threads = 1;
  options.max_body_bytes = 4 * 1024;  // scrapes carry no body
  auto server =
      http::HttpServer::Start(options, [shared](http::Request&& request, http::Responder respond) {
        Serve(*shared, request, respond);
      });
  if (!server.ok()) return server.status();
  const int port = (*server)->port();
  Logger()->info("serving /metrics listen={} port={}", listen, port);
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(*std::move(server), port));
}

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<http::HttpServer> server, int port)
    : server_(std::move(server)), port_(port) {}

MetricsEndpoint::~MetricsEndpoint() { Shutdown(); }

int MetricsEndpoint::port() const { return port_; }

void MetricsEndpoint::Shutdown() { server_->Shutdown(std::chrono::milliseconds(1000)); }

}  // namespace callcontrol::observability
