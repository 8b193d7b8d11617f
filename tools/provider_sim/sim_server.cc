#include "tools/provider_sim/sim_server.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/http/form.h"
#include "common/logging.h"
#include "providers/telnyx/telnyx_signature.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/sim_http.h"
#include "tools/provider_sim/twilio/twilio_errors.h"

namespace callcontrol::provider_sim {
namespace {

constexpr size_t kDefaultListLimit = 1000;
constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;

http::Response Json(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = body.dump();
  return response;
}

// The `limit` query parameter (default kDefaultListLimit); false if it is not a number.
bool ListLimit(const http::Request& request, size_t* limit) {
  *limit = kDefaultListLimit;
  auto query = http::ParseForm(request.query);
  if (!query.ok()) return true;
  const std::string* value = http::FindParam(*query, "limit");
  return value == nullptr || absl::SimpleAtoi(*value, limit);
}

// GET `collection` lists (at most ?limit= items) and GET `collection`/{id} shows one item (the
// id percent-decoded, so ids with ':' or '+' work); `what` names an item in the 404 message.
http::Response ServeInspection(
    const http::Request& request, std::string_view collection, std::string_view what,
    const std::function<nlohmann::json(size_t limit)>& list,
    const std::function<std::optional<nlohmann::json>(const std::string& id)>& one) {
  if (request.method != "GET") return Json(405, {{"error", "use GET"}});
  if (request.path == collection) {
    size_t limit = 0;
    if (!ListLimit(request, &limit)) {
      return Json(400, {{"error", "limit must be a non-negative integer"}});
    }
    return Json(200, list(limit));
  }
  const std::string prefix = absl::StrCat(AbslView(collection), "/");
  if (!absl::StartsWith(AbslView(request.path), prefix) || request.path.size() == prefix.size()) {
    return Json(404, {{"error", "unknown simulator endpoint " + request.path}});
  }
  auto id = http::PercentDecode(std::string_view(request.path).substr(prefix.size()));
  if (!id.ok()) return Json(400, {{"error", "bad id: " + std::string(id.status().message())}});
  std::optional<nlohmann::json> item = one(*id);
  if (!item.has_value()) {
    return Json(404, {{"error", absl::StrCat(AbslView(what), " ", *id, " not found")}});
  }
  return Json(200, *item);
}

// The host part of "host:port" / "[v6]:port".
std::string_view ListenHost(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  return colon == std::string_view::npos ? listen : listen.substr(0, colon);
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  return absl::StartsWith(AbslView(host), "127.") || host == "::1" || host == "[::1]" ||
         host == "localhost";
}

SimServer::SimServer(Options options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<SimServer>> SimServer::Start(Options options) {
  if (!(options.time_scale > 0)) {
    return absl::InvalidArgumentError("time scale must be greater than 0");
  }
  if (options.webhook_retries < 0) {
    return absl::InvalidArgumentError("webhook retries must be 0 or more");
  }
  if (options.webhook_threads < 1 || options.io_threads < 1) {
    return absl::InvalidArgumentError("thread counts must be at least 1");
  }
  const bool loopback = IsLoopbackHost(ListenHost(options.listen));
  if (!loopback && !options.allow_remote) {
    return absl::InvalidArgumentError("refusing to listen on non-loopback address " +
                                      options.listen + " (pass --allow-remote to do it anyway)");
  }
  if (options.accounts.empty()) {
    options.accounts.push_back({kDefaultAccountSid, kDefaultAuthToken});
  }
  if (options.telnyx_api_keys.empty()) options.telnyx_api_keys.push_back(kDefaultTelnyxApiKey);
  if (options.exotel_accounts.empty()) {
    options.exotel_accounts.push_back(
        {kDefaultExotelAccountSid, kDefaultExotelApiKey, kDefaultExotelApiToken});
  }
  for (const ExotelAccount& account : options.exotel_accounts) {
    if (account.account_sid.empty() || account.api_key.empty() || account.api_token.empty()) {
      return absl::InvalidArgumentError("an Exotel account needs a SID, an API key and a token");
    }
  }
  if (options.voice_api_keys.empty()) options.voice_api_keys.push_back(kDefaultVoiceApiKey);
  for (const std::string& key : options.voice_api_keys) {
    if (key.empty() || key.find_first_of(" \t\r\n") != std::string::npos) {
      return absl::InvalidArgumentError("a voice API key must be non-empty, without spaces");
    }
  }
  for (const std::string& key : options.telnyx_api_keys) {
    if (key.empty() || key.find_first_of(" \t\r\n") != std::string::npos) {
      return absl::InvalidArgumentError("a Telnyx API key must be non-empty, without spaces");
    }
  }
  std::string telnyx_public_key;
  if (options.telnyx_private_key_base64.empty()) {
    telnyx::KeyPair pair = telnyx::GenerateKeyPair();
    options.telnyx_private_key_base64 = std::move(pair.private_key_base64);
    telnyx_public_key = std::move(pair.public_key_base64);
  } else {
    auto public_key = telnyx::PublicKeyOf(options.telnyx_private_key_base64);
    if (!public_key.ok()) {
      return absl::InvalidArgumentError(
          "the Telnyx private key is not a base64 32-byte Ed25519 seed");
    }
    telnyx_public_key = *std::move(public_key);
  }
  std::unique_ptr<SimServer> server(new SimServer(std::move(options)));
  const Options& o = server->options_;
  server->inspection_enabled_ = loopback;
  server->telnyx_public_key_ = std::move(telnyx_public_key);
  SimServer* raw = server.get();
  server->sender_ =
      std::make_unique<WebhookSender>(WebhookSender::Options{.threads = o.webhook_threads,
                                                             .max_retries = o.webhook_retries,
                                                             .time_scale = o.time_scale},
                                      &server->scheduler_, [raw](const DeliveryReport& report) {
                                        switch (report.format) {
                                          case WebhookFormat::kTelnyx:
                                            raw->telnyx_engine_->RecordDelivery(report);
                                            break;
                                          case WebhookFormat::kExotel:
                                            raw->exotel_engine_->RecordDelivery(report);
                                            break;
                                          case WebhookFormat::kBolna:
                                            raw->bolna_engine_->RecordDelivery(report);
                                            break;
                                          case WebhookFormat::kTwilio:
                                            raw->engine_->RecordDelivery(report);
                                            break;
                                        }
                                      });
  server->engine_ = std::make_unique<CallEngine>(
      CallEngine::Options{.time_scale = o.time_scale, .max_ended_calls = o.max_ended_calls},
      &server->scheduler_, server->sender_.get());
  server->api_ = std::make_unique<TwilioApi>(o.accounts, server->engine_.get());
  server->telnyx_engine_ = std::make_unique<TelnyxEngine>(
      TelnyxEngine::Options{.time_scale = o.time_scale,
                            .private_key_base64 = o.telnyx_private_key_base64,
                            .max_ended_sessions = o.max_ended_calls},
      &server->scheduler_, server->sender_.get());
  server->telnyx_api_ =
      std::make_unique<TelnyxApi>(o.telnyx_api_keys, server->telnyx_engine_.get());
  server->exotel_engine_ = std::make_unique<ExotelEngine>(
      ExotelEngine::Options{.time_scale = o.time_scale, .max_ended_calls = o.max_ended_calls},
      &server->scheduler_, server->sender_.get());
  server->exotel_api_ =
      std::make_unique<ExotelApi>(o.exotel_accounts, server->exotel_engine_.get());
  server->bolna_engine_ = std::make_unique<BolnaEngine>(
      BolnaEngine::Options{.time_scale = o.time_scale, .max_ended_executions = o.max_ended_calls},
      &server->scheduler_, server->sender_.get());
  server->bolna_api_ = std::make_unique<BolnaApi>(server->bolna_engine_.get());
  server->voice_api_ = std::make_unique<VoiceApi>(
      VoiceApi::Options{.time_scale = o.time_scale, .max_records = o.max_ended_calls},
      o.voice_api_keys, &server->scheduler_);
  http::HttpServer::Options http_options;
  http_options.listen = o.listen;
  // Voice-clone uploads carry audio files.
  http_options.max_body_bytes = kMaxBodyBytes;
  http_options.io_threads = o.io_threads;
  auto http = http::HttpServer::Start(http_options,
                                      [raw](http::Request&& request, http::Responder respond) {
                                        raw->Handle(std::move(request), std::move(respond));
                                      });
  if (!http.ok()) return http.status();
  server->http_ = *std::move(http);
  logging::Get("provider_sim")
      ->info(
          "provider-sim serving listen={} port={} accounts={} telnyx_keys={} exotel_accounts={} "
          "voice_keys={} time_scale={} retries={}",
          o.listen, server->http_->port(), o.accounts.size(), o.telnyx_api_keys.size(),
          o.exotel_accounts.size(), o.voice_api_keys.size(), o.time_scale, o.webhook_retries);
  return server;
}

SimServer::~SimServer() { Shutdown(); }

int SimServer::port() const { return http_->port(); }

void SimServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  // Held and delayed voice-clone requests are answered first so that no request stays in flight.
  if (voice_api_ != nullptr) voice_api_->Shutdown();
  if (http_ != nullptr) http_->Shutdown(std::chrono::milliseconds(1000));
  scheduler_.Shutdown();
  if (sender_ != nullptr) sender_->Shutdown();
  logging::Get("provider_sim")->info("provider-sim stopped");
}

void SimServer::Handle(http::Request&& request, http::Responder respond) {
  if (request.path == "/healthz") {
    http::Response response;
    response.body = "ok\n";
    return respond(std::move(response));
  }
  if (absl::StartsWith(AbslView(request.path), "/sim/")) {
    if (inspection_enabled_ && request.method == "POST") {
      // The Exotel and Bolna controls answer once their webhook has been answered.
      if (absl::StartsWith(AbslView(request.path), "/sim/exotel/")) {
        return exotel_api_->HandleSimControl(request, std::move(respond));
      }
      if (absl::StartsWith(AbslView(request.path), "/sim/bolna/")) {
        return bolna_api_->HandleSimControl(request, std::move(respond));
      }
    }
    return respond(HandleSim(request));
  }
  if (absl::StartsWith(AbslView(request.path), "/v2/")) {
    return respond(telnyx_api_->Handle(request));
  }
  if (absl::StartsWith(AbslView(request.path), "/v1/voices/")) {
    return voice_api_->Handle(request, std::move(respond));
  }
  if (absl::StartsWith(AbslView(request.path), "/v1/")) {
    return respond(exotel_api_->Handle(request));
  }
  if (absl::StartsWith(AbslView(request.path), "/2010-04-01/")) {
    return respond(api_->Handle(request));
  }
  const absl::Status not_found =
      TwilioError(absl::StatusCode::kNotFound, 20404,
                  "The requested resource " + request.path + " was not found");
  http::Response response;
  response.status = 404;
  response.content_type = "application/json; charset=utf-8";
  response.body = TwilioErrorJson(not_found);
  respond(std::move(response));
}

http::Response SimServer::HandleSim(const http::Request& request) {
  if (!inspection_enabled_) {
    return Json(403,
                {{"error", "the /sim endpoints are served on a loopback listen address only"}});
  }
  if (absl::StartsWith(AbslView(request.path), "/sim/telnyx/")) {
    if (request.method == "POST") return telnyx_api_->HandleSimControl(request);
    return HandleTelnyxInspection(request);
  }
  if (absl::StartsWith(AbslView(request.path), "/sim/exotel/")) {
    return HandleExotelInspection(request);
  }
  if (absl::StartsWith(AbslView(request.path), "/sim/bolna/")) {
    return HandleBolnaInspection(request);
  }
  if (request.path == "/sim/voices") {
    if (request.method != "GET") return Json(405, {{"error", "use GET"}});
    size_t limit = 0;
    if (!ListLimit(request, &limit)) {
      return Json(400, {{"error", "limit must be a non-negative integer"}});
    }
    return Json(200, voice_api_->ListJson(limit));
  }
  // A Telnyx call_control_id works under /sim/calls/ too.
  return ServeInspection(
      request, "/sim/calls", "call",
      [this](size_t limit) { return InspectionListJson(engine_->ListCalls(limit)); },
      [this](const std::string& id) -> std::optional<nlohmann::json> {
        if (auto call = engine_->InspectCall(id); call.ok()) return InspectionJson(*call);
        if (auto call = telnyx_engine_->GetCall(id); call.ok()) return TelnyxInspectionJson(*call);
        return std::nullopt;
      });
}

http::Response SimServer::HandleTelnyxInspection(const http::Request& request) {
  return ServeInspection(
      request, "/sim/telnyx/calls", "telnyx call",
      [this](size_t limit) { return TelnyxInspectionListJson(telnyx_engine_->ListCalls(limit)); },
      [this](const std::string& id) -> std::optional<nlohmann::json> {
        auto call = telnyx_engine_->GetCall(id);
        if (!call.ok()) return std::nullopt;
        return TelnyxInspectionJson(*call);
      });
}

http::Response SimServer::HandleExotelInspection(const http::Request& request) {
  return ServeInspection(
      request, "/sim/exotel/calls", "exotel call",
      [this](size_t limit) { return ExotelInspectionListJson(exotel_engine_->ListCalls(limit)); },
      [this](const std::string& sid) -> std::optional<nlohmann::json> {
        auto call = exotel_engine_->GetCall("", sid);
        if (!call.ok()) return std::nullopt;
        return ExotelInspectionJson(*call);
      });
}

http::Response SimServer::HandleBolnaInspection(const http::Request& request) {
  return ServeInspection(
      request, "/sim/bolna/executions", "bolna execution",
      [this](size_t limit) { return BolnaInspectionListJson(bolna_engine_->List(limit)); },
      [this](const std::string& id) -> std::optional<nlohmann::json> {
        auto execution = bolna_engine_->Get(id);
        if (!execution.ok()) return std::nullopt;
        return BolnaInspectionJson(*execution);
      });
}

}  // namespace callcontrol::provider_sim
