// The simulator's Bolna controls (no auth; SimServer allows them on loopback only): start an
// execution that sends Bolna's status webhooks on a scripted timeline, and send one webhook with
// any status word. Bolna places calls itself, so there is no provider REST API to imitate here.
#pragma once

#include "common/http/http_server.h"
#include "tools/provider_sim/bolna/bolna_engine.h"

namespace callcontrol::provider_sim {

// Serves:
//   POST /sim/bolna/executions  {"to","from","webhook_url","agent_id"?,"scenario"?}
//        -> 200 {"message":"done","status":"queued","execution_id":"<uuid>"}
//   POST /sim/bolna/webhooks    {"webhook_url","status","execution_id"?, "duration"?,
//        "total_cost"|"price"?, "recording_url"?, "transcript"?, "error_message"?, "to"?,
//        "from"?, "agent_id"?, "hangup_by"?, "hangup_reason"?, "hangup_provider_code"?}
//        -> once answered, 200 {"http_status","error","execution_id","body"}
// Errors are {"error": "..."}: 400 bad body, 404 unknown path, 405 wrong method. Thread-safe.
class BolnaApi {
 public:
  // `engine` must outlive this object.
  explicit BolnaApi(BolnaEngine* engine);

  // Answers one POST /sim/bolna/... request (possibly later, from a sender thread).
  void HandleSimControl(const http::Request& request, http::Responder respond);

 private:
  http::Response StartExecution(const http::Request& request);
  void SendWebhook(const http::Request& request, http::Responder respond);

  BolnaEngine* const engine_;
};

}  // namespace callcontrol::provider_sim
