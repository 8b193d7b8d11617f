// Twilio recording requested by the daemon, through real processes: a tenant with twilio.record
// makes StartCall ask Twilio (provider-sim) to record, the simulator posts a signed recording
// status callback once the answered call completes, and the adapter's recording route attaches
// the recording to the call (GetCall and a call:updated event). Tenants without it ask for none.
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/stack_fixture.h"
#include "tests/testing/wait.h"

namespace callcontrol::testing {
namespace {

class RecordingStackTest : public StackTest {
 protected:
  // The simulator's record of `call_sid` once its recording callback was delivered (bounded
  // wait: the callback leaves right after the call's final status callback).
  json WaitForRecordingDelivery(const std::string& call_sid) {
    json sim;
    EXPECT_TRUE(::callcontrol::testing::WaitFor(
        [&] {
          sim = SimCall(call_sid);
          for (const auto& callback : sim["callbacks"]) {
            if (callback["call_status"] == "recording:completed" &&
                callback["http_status"] == 200) {
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(10), "the recording callback of " + call_sid,
        std::chrono::milliseconds(50)));
    return sim;
  }
};

TEST_F(RecordingStackTest, ARecordingTenantsAnsweredCallGetsTwiliosRecordingAttached) {
  EventCollector events(stub_.get(), 0, kUmbrellaKey);
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550100", &call, "", kUmbrellaKey).ok());  // answered, talks 3 s
  auto with_recording = events.WaitFor([&](const v1::Event& e) {
    return e.type() == v1::EVENT_TYPE_CALL_UPDATED && e.call().call_id() == call.call_id() &&
           e.call().recordings_size() == 1;
  });
  ASSERT_TRUE(with_recording) << "no call:updated event carried a recording";

  const v1::Call done = GetCall(call.call_id(), kUmbrellaKey);
  EXPECT_EQ(done.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(done.duration_seconds(), 3);
  ASSERT_EQ(done.recordings_size(), 1);
  const v1::Recording& recording = done.recordings(0);
  EXPECT_TRUE(std::regex_match(recording.recording_id(), std::regex("RE[0-9a-f]{32}")))
      << recording.recording_id();
  EXPECT_EQ(recording.url(), "https://api.twilio.com/2010-04-01/Accounts/" +
                                 std::string(kAccountSid) + "/Recordings/" +
                                 recording.recording_id());
  EXPECT_EQ(recording.duration_seconds(), 3);
  EXPECT_EQ(recording.status(), "completed");
  EXPECT_EQ(with_recording->call().recordings(0).SerializeAsString(),
            recording.SerializeAsString());

  // What the simulator was asked for and what it sent: Twilio's Create Call recording params,
  // and a callback with the fields (and order) of fixtures/twilio_recording_status_completed.form.
  const json sim = WaitForRecordingDelivery(done.provider_ids().call_sid());
  EXPECT_EQ(sim["record"], true);
  EXPECT_EQ(sim["recording_status_callback"],
            AdapterUrl(std::string("/webhooks/twilio/") + kRecordingTenant +
                       "/recording?call_id=" + call.call_id()));
  EXPECT_EQ(sim["recording_status_callback_method"], "POST");
  EXPECT_EQ(sim["recording_status_callback_events"], json::array({"completed"}));
  std::vector<std::string> names;
  std::map<std::string, std::string> params;
  for (const auto& param : sim["recording_callback"]) {
    names.push_back(param[0].get<std::string>());
    params[param[0].get<std::string>()] = param[1].get<std::string>();
  }
  EXPECT_THAT(names, ::testing::ElementsAre("AccountSid", "CallSid", "RecordingSid", "RecordingUrl",
                                            "RecordingStatus", "RecordingDuration",
                                            "RecordingChannels", "RecordingStartTime",
                                            "RecordingSource", "RecordingTrack", "ErrorCode"));
  EXPECT_EQ(params["AccountSid"], kAccountSid);
  EXPECT_EQ(params["CallSid"], done.provider_ids().call_sid());
  EXPECT_EQ(params["RecordingSid"], recording.recording_id());
  EXPECT_EQ(params["RecordingUrl"], recording.url());
  EXPECT_EQ(params["RecordingStatus"], "completed");
  EXPECT_EQ(params["RecordingDuration"], "3");
  EXPECT_EQ(params["RecordingTrack"], "both");
  EXPECT_EQ(params["RecordingChannels"], "1");
  EXPECT_EQ(params["RecordingSource"], "OutboundAPI");
  EXPECT_EQ(params["ErrorCode"], "0");
  // RFC 2822, as Twilio's other timestamps: "Sun, 25 Mar 2018 09:52:31 +0000".
  EXPECT_TRUE(std::regex_match(params["RecordingStartTime"],
                               std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} )"
                                          R"(\d{2}:\d{2}:\d{2} \+0000)")))
      << params["RecordingStartTime"];
}

TEST_F(RecordingStackTest, TenantsWithoutRecordAndUnansweredCallsGetNoRecording) {
  // acme has no twilio.record: the create request asks for no recording.
  EventCollector acme_events(stub_.get(), 0, kAcmeKey);
  v1::Call plain;
  ASSERT_TRUE(StartCall("+14155550100", &plain).ok());
  ASSERT_TRUE(acme_events.WaitFor(CallReaches(plain.call_id(), v1::CALL_STATUS_COMPLETED)));
  const v1::Call plain_done = GetCall(plain.call_id());
  const json plain_sim = SimCall(plain_done.provider_ids().call_sid());
  EXPECT_EQ(plain_sim["record"], false);
  EXPECT_EQ(plain_sim["recording_status_callback"], "");
  EXPECT_TRUE(plain_sim["recording_callback"].empty());
  EXPECT_EQ(plain_done.recordings_size(), 0);

  // A recording tenant's call that is never answered has nothing recorded.
  EventCollector events(stub_.get(), 0, kUmbrellaKey);
  v1::Call busy;
  ASSERT_TRUE(StartCall("+14155550101", &busy, "", kUmbrellaKey).ok());
  ASSERT_TRUE(events.WaitFor(CallReaches(busy.call_id(), v1::CALL_STATUS_BUSY)));
  const v1::Call busy_done = GetCall(busy.call_id(), kUmbrellaKey);
  const json busy_sim = SimCall(busy_done.provider_ids().call_sid());
  EXPECT_EQ(busy_sim["record"], true);
  EXPECT_TRUE(busy_sim["recording_callback"].empty());
  EXPECT_EQ(busy_done.recordings_size(), 0);
}

}  // namespace
}  // namespace callcontrol::testing
