// Exotel Connect's simulated calls (POST /v1/Accounts/{sid}/Calls/connect), chosen by the last
// four digits of `From`, with 0125 (talks exactly 125 s) for billing. Mirrored in
// tools/provider_sim/README.md.
#pragma once

#include <string_view>
#include <vector>

namespace callcontrol::provider_sim {

// What happens to an Exotel Connect call (POST /v1/Accounts/{sid}/Calls/connect).
struct ExotelScenario {
  std::string_view suffix;  // last four digits of `From` (the number dialled first)
  std::string_view name;
  std::string_view description;
  double answer_at = -1;          // the `answered` event; < 0 when never answered
  double end_at = 0;              // the `terminal` event
  std::string_view final_status;  // completed | busy | no-answer | failed
};

// Every Exotel scenario, the default (`answered`) first. ConversationDuration is exactly
// end_at - answer_at (scenario seconds, whatever the --time-scale).
//
//   suffix  name        timeline (scenario seconds, multiplied by --time-scale)
//   0100    answered    answered +1.5, terminal completed +4.5 (ConversationDuration 3)
//   0101    busy        terminal busy +2
//   0102    no-answer   terminal no-answer +5
//   0103    failed      terminal failed +1
//   0104    long-call   answered +1.5, terminal completed +3601.5 (3600 s)
//   0125    talk-125    answered +1.5, terminal completed +126.5 (125 s, Price "2.400")
const std::vector<ExotelScenario>& AllExotelScenarios();

// The scenario for a `From` number (by its last four characters); `answered` when none matches.
const ExotelScenario& ExotelScenarioForNumber(std::string_view from);

}  // namespace callcontrol::provider_sim
