#include "client/callctl_commands.h"

#include <fstream>
#include <sstream>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "client/call_format.h"
#include "common/status_macros.h"
#include "grpcpp/client_context.h"

namespace callcontrol::client {
namespace {

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// A context with the API key and the unary deadline.
void Prepare(const CommandEnv& env, grpc::ClientContext* context) {
  for (const auto& [key, value] : AuthMetadata(env.api_key)) {
    context->AddMetadata(key, value);
  }
  context->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMicroseconds(env.timeout));
}

absl::Status PrintJson(const CommandEnv& env, const google::protobuf::Message& message) {
  ASSIGN_OR_RETURN(std::string line, ToJsonLine(message));
  *env.out << line << '\n';
  return absl::OkStatus();
}

// Prints a response holding one call.
template <typename Response>
absl::Status PrintCallResponse(const CommandEnv& env, const Response& response) {
  if (env.json) {
    return PrintJson(env, response);
  }
  *env.out << FormatCallDetail(response.call());
  return absl::OkStatus();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> AuthMetadata(const std::string& api_key) {
  if (api_key.empty()) {
    return {};
  }
  return {{"authorization", absl::StrCat("Bearer ", api_key)}};
}

absl::Status RunStartCall(const CommandEnv& env, const StartCallArgs& args) {
  ASSIGN_OR_RETURN(v1::StartCallRequest request, BuildStartCallRequest(args));
  grpc::ClientContext context;
  Prepare(env, &context);
  v1::StartCallResponse response;
  RETURN_IF_ERROR(FromGrpc(env.stub->StartCall(&context, request, &response)));
  return PrintCallResponse(env, response);
}

absl::Status RunHangupCall(const CommandEnv& env, const std::string& call_id) {
  ASSIGN_OR_RETURN(v1::HangupCallRequest request, BuildHangupCallRequest(call_id));
  grpc::ClientContext context;
  Prepare(env, &context);
  v1::HangupCallResponse response;
  RETURN_IF_ERROR(FromGrpc(env.stub->HangupCall(&context, request, &response)));
  return PrintCallResponse(env, response);
}

absl::Status RunGetCall(const CommandEnv& env, const std::string& call_id) {
  ASSIGN_OR_RETURN(v1::GetCallRequest request, BuildGetCallRequest(call_id));
  grpc::ClientContext context;
  Prepare(env, &context);
  v1::GetCallResponse response;
  RETURN_IF_ERROR(FromGrpc(env.stub->GetCall(&context, request, &response)));
  return PrintCallResponse(env, response);
}

absl::Status RunListCalls(const CommandEnv& env, const ListCallsArgs& args, bool all) {
  ASSIGN_OR_RETURN(v1::ListCallsRequest request, BuildListCallsRequest(args));
  int64_t printed = 0;
  while (true) {
    grpc::ClientContext context;
    Prepare(env, &context);
    v1::ListCallsResponse response;
    RETURN_IF_ERROR(FromGrpc(env.stub->ListCalls(&context, request, &response)));
    if (env.json) {
      RETURN_IF_ERROR(PrintJson(env, response));
    } else {
      for (const v1::Call& call : response.calls()) {
        *env.out << FormatCallLine(call) << '\n';
        ++printed;
      }
    }
    if (response.next_page_token().empty()) {
      break;
    }
    if (!all) {
      if (!env.json) {
        *env.out << "next page: --page-token " << response.next_page_token() << '\n';
      }
      break;
    }
    if (response.next_page_token() == request.page_token()) {
      return absl::InternalError(
          absl::StrCat("server returned the same page token twice: ", request.page_token()));
    }
    request.set_page_token(response.next_page_token());
  }
  if (!env.json && printed == 0) {
    *env.out << "no calls\n";
  }
  return absl::OkStatus();
}

absl::Status RunGetMetrics(const CommandEnv& env) {
  grpc::ClientContext context;
  Prepare(env, &context);
  v1::GetMetricsResponse response;
  RETURN_IF_ERROR(FromGrpc(env.stub->GetMetrics(&context, v1::GetMetricsRequest(), &response)));
  if (env.json) {
    return PrintJson(env, response);
  }
  *env.out << FormatMetrics(response.metrics());
  return absl::OkStatus();
}

std::string FormatError(const absl::Status& status) {
  return absl::StrCat("callctl: ", absl::StatusCodeToString(status.code()), ": ", status.message());
}

absl::Status RunGetCloneStatus(const CommandEnv& env, const std::string& call_id) {
  if (call_id.empty()) return absl::InvalidArgumentError("CALL_ID is required");
  v1::GetCloneStatusRequest request;
  request.set_call_id(call_id);
  grpc::ClientContext context;
  Prepare(env, &context);
  v1::GetCloneStatusResponse response;
  RETURN_IF_ERROR(FromGrpc(env.stub->GetCloneStatus(&context, request, &response)));
  if (env.json) {
    ASSIGN_OR_RETURN(std::string line, ToJsonLine(response));
    *env.out << line << "\n";
    return absl::OkStatus();
  }
  *env.out << FormatCloneJob(response.call_id(), response.clone());
  return absl::OkStatus();
}

absl::Status RunPutVoiceSample(const CommandEnv& env, const std::string& caller_number,
                               const std::string& path, const std::string& content_type) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::ostringstream audio;
  audio << in.rdbuf();
  v1::PutVoiceSampleRequest request;
  request.set_caller_number(caller_number);
  request.set_audio(audio.str());
  request.set_content_type(content_type);
  grpc::ClientContext context;
  Prepare(env, &context);
  v1::PutVoiceSampleResponse response;
  RETURN_IF_ERROR(FromGrpc(env.stub->PutVoiceSample(&context, request, &response)));
  if (env.json) {
    ASSIGN_OR_RETURN(std::string line, ToJsonLine(response));
    *env.out << line << "\n";
    return absl::OkStatus();
  }
  *env.out << "stored " << response.size_bytes() << " bytes of " << response.content_type()
           << " for " << response.caller_number() << "\n";
  return absl::OkStatus();
}

}  // namespace callcontrol::client
