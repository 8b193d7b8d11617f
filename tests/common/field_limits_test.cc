// CheckStringFields on the daemon's provider-event message: UTF-8 and length checks reach
// nested and repeated fields and name the field, never the value.
#include "common/proto/field_limits.h"

#include <gtest/gtest.h>

#include <string>

#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"

namespace callcontrol::proto {
namespace {

using internal::v1::ReportProviderEventRequest;

TEST(FieldLimitsTest, AcceptsUtf8WithinTheLimit) {
  ReportProviderEventRequest request;
  request.set_tenant_id("acme");
  request.set_from("+14155550100");
  request.mutable_hangup()->set_cause("Anruf beendet \xc3\xa4");  // "ä"
  request.mutable_provider_ids()->set_call_sid(std::string(4096, 'C'));
  EXPECT_TRUE(CheckStringFields(request).ok());
  EXPECT_TRUE(CheckStringFields(ReportProviderEventRequest()).ok());
}

// Audit finding 2: a form value "%FF" decoded to a byte that is not UTF-8 went into a proto
// string and made the daemon refuse the whole batch.
TEST(FieldLimitsTest, RefusesBytesThatAreNotUtf8AndNamesTheField) {
  ReportProviderEventRequest request;
  request.mutable_provider_ids()->set_call_sid(std::string("CA\xff", 3));
  const absl::Status status = CheckStringFields(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "provider_ids.call_sid: not valid UTF-8");
  request.Clear();
  request.set_to(std::string("\xc3", 1));  // a truncated sequence
  EXPECT_EQ(CheckStringFields(request).message(), "to: not valid UTF-8");
}

TEST(FieldLimitsTest, RefusesLongFieldsWithoutQuotingThem) {
  v1::Call call;
  call.add_linked_call_ids("call_a");
  call.add_linked_call_ids(std::string(5000, 'x'));
  const absl::Status status = CheckStringFields(call);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "linked_call_ids[1]: 5000 bytes, at most 4096");
  EXPECT_TRUE(CheckStringFields(call, FieldLimits{.max_string_bytes = 8192}).ok());
}

}  // namespace
}  // namespace callcontrol::proto
