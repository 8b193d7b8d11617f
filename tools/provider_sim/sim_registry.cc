// The one list of the simulator's providers. Adding a provider: its folder
// (tools/provider_sim/<name>/ with a SimProvider), one line here, its sources in CMakeLists.txt.
// The order is the order of the --help footer, the startup log and the GET /sim/calls/{id}
// lookup.
#include <memory>
#include <vector>

#include "tools/provider_sim/bolna/bolna_sim_provider.h"
#include "tools/provider_sim/exotel/exotel_sim_provider.h"
#include "tools/provider_sim/sim_provider.h"
#include "tools/provider_sim/telnyx/telnyx_sim_provider.h"
#include "tools/provider_sim/twilio/twilio_sim_provider.h"
#include "tools/provider_sim/voice/voice_sim_provider.h"

namespace callcontrol::provider_sim {

std::vector<std::unique_ptr<SimProvider>> SimProviders() {
  std::vector<std::unique_ptr<SimProvider>> providers;
  providers.push_back(std::make_unique<TwilioSimProvider>());
  providers.push_back(std::make_unique<TelnyxSimProvider>());
  providers.push_back(std::make_unique<ExotelSimProvider>());
  providers.push_back(std::make_unique<BolnaSimProvider>());
  providers.push_back(std::make_unique<VoiceSimProvider>());
  return providers;
}

}  // namespace callcontrol::provider_sim
