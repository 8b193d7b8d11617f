// What every provider's scenario table shares: a simulated callee's behaviour is chosen by the
// last four digits of a number (or name), and the table shows up in provider-sim --help. Each
// provider's table lives in its folder (<name>/<name>_scenario.h, voice/voice_api.h) and is
// mirrored in tools/provider_sim/README.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace callcontrol::provider_sim {

// The entry of `table` whose `suffix` equals the last four characters of `number`; the first
// entry (the table's default) when `number` is shorter or none matches. `table` must not be
// empty; S has a std::string_view `suffix`.
template <typename S>
const S& ScenarioBySuffix(const std::vector<S>& table, std::string_view number) {
  if (number.size() >= 4) {
    const std::string_view suffix = number.substr(number.size() - 4);
    for (const S& s : table) {
      if (s.suffix == suffix) return s;
    }
  }
  return table.front();
}

// `heading` and '\n', then "  SUFFIX  NAME: DESCRIPTION\n" for each entry of `table` (S has
// std::string_view suffix, name and description): a provider's part of the --help footer.
template <typename S>
std::string ScenarioTableHelp(std::string_view heading, const std::vector<S>& table) {
  std::string out = std::string(heading) + "\n";
  for (const S& s : table) {
    out += "  " + std::string(s.suffix) + "  " + std::string(s.name) + ": " +
           std::string(s.description) + "\n";
  }
  return out;
}

}  // namespace callcontrol::provider_sim
