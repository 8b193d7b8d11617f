// Tenants and API keys through real processes: every public RPC needs a key, the key decides
// the tenant, and no RPC or stream of one tenant ever shows or touches another tenant's call.
#include "tests/integration/stack_fixture.h"

namespace callcontrol::testing {
namespace {

using TenancyTest = StackTest;

TEST_F(TenancyTest, AMissingOrWrongKeyIsUnauthenticated) {
  for (const std::string& metadata : {std::string(""), std::string("Bearer cck_wrong"),
                                      std::string("Basic ") + kAcmeKey, std::string(kAcmeKey)}) {
    grpc::ClientContext ctx;
    if (!metadata.empty()) ctx.AddMetadata("authorization", metadata);
    v1::StartCallRequest request;
    request.set_to("+14155550100");
    v1::StartCallResponse response;
    EXPECT_EQ(stub_->StartCall(&ctx, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << "authorization: " << metadata;
  }
  grpc::ClientContext stream_ctx;
  auto reader = stub_->StreamEvents(&stream_ctx, v1::StreamEventsRequest());
  v1::StreamEventsResponse ignored;
  EXPECT_FALSE(reader->Read(&ignored));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Nothing was placed by the refused calls.
  grpc::ClientContext list_ctx;
  Authorize(&list_ctx, kAcmeKey);
  v1::ListCallsResponse page;
  ASSERT_TRUE(stub_->ListCalls(&list_ctx, v1::ListCallsRequest(), &page).ok());
  EXPECT_EQ(page.calls_size(), 0);
}

TEST_F(TenancyTest, AnotherTenantsKeyCannotGetListStreamOrHangUpACall) {
  EventCollector globex_events(stub_.get(), 0, kGlobexKey);
  EventCollector acme_events(stub_.get(), 0, kAcmeKey);
  v1::Call acme_call;
  ASSERT_TRUE(StartCall("+14155550104", &acme_call).ok());  // long call
  ASSERT_TRUE(acme_events.WaitFor(CallReaches(acme_call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));

  v1::Call seen;
  EXPECT_EQ(TryGetCall(acme_call.call_id(), &seen, kGlobexKey).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Provider ids are scoped by tenant: another tenant's CallSid finds nothing at all.
  EXPECT_EQ(TryGetCall(acme_call.provider_ids().call_sid(), &seen, kGlobexKey).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Hangup(acme_call.call_id(), &seen, kGlobexKey).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext clone_ctx;
  Authorize(&clone_ctx, kGlobexKey);
  v1::GetCloneStatusRequest clone_request;
  clone_request.set_call_id(acme_call.call_id());
  v1::GetCloneStatusResponse clone_response;
  EXPECT_EQ(stub_->GetCloneStatus(&clone_ctx, clone_request, &clone_response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetCall(acme_call.call_id()).status(), v1::CALL_STATUS_IN_PROGRESS);  // untouched

  grpc::ClientContext list_ctx;
  Authorize(&list_ctx, kGlobexKey);
  v1::ListCallsResponse page;
  ASSERT_TRUE(stub_->ListCalls(&list_ctx, v1::ListCallsRequest(), &page).ok());
  EXPECT_EQ(page.calls_size(), 0);
  grpc::ClientContext metrics_ctx;
  Authorize(&metrics_ctx, kGlobexKey);
  v1::GetMetricsResponse metrics;
  ASSERT_TRUE(stub_->GetMetrics(&metrics_ctx, v1::GetMetricsRequest(), &metrics).ok());
  EXPECT_EQ(metrics.metrics().total_calls(), 0);

  // globex's own call shows up on its stream; acme's never does.
  v1::Call globex_call;
  ASSERT_TRUE(StartCall("+13125550100", &globex_call, "", kGlobexKey).ok());
  ASSERT_TRUE(globex_events.WaitFor(CallReaches(globex_call.call_id(), v1::CALL_STATUS_COMPLETED)));
  for (const auto& e : globex_events.events()) {
    EXPECT_EQ(e.tenant_id(), kTelnyxTenant);
    EXPECT_NE(e.call().call_id(), acme_call.call_id());
  }
  EXPECT_EQ(TryGetCall(globex_call.call_id(), &seen, kAcmeKey).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Call ended;
  ASSERT_TRUE(Hangup(acme_call.call_id(), &ended).ok());  // its own tenant may
}

}  // namespace
}  // namespace callcontrol::testing
