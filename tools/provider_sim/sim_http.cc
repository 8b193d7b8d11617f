#include "tools/provider_sim/sim_http.h"

#include <openssl/crypto.h>

#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"

namespace callcontrol::provider_sim {

http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json; charset=utf-8";
  response.body = std::move(body);
  return response;
}

http::Response SimError(int status, std::string message) {
  return JsonResponse(status, nlohmann::json{{"error", std::move(message)}}.dump());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsHttpUrl(std::string_view url) {
  std::string_view rest;
  if (absl::StartsWithIgnoreCase(AbslView(url), "https://")) {
    rest = url.substr(8);
  } else if (absl::StartsWithIgnoreCase(AbslView(url), "http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  return !rest.empty() && rest.front() != '/' && rest.front() != '?' &&
         rest.find_first_of(" \t\r\n") == std::string_view::npos;
}

bool IsPhoneNumber(std::string_view number) {
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  if (number.size() < 5 || number.size() > 15) return false;
  for (char c : number) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsE164(std::string_view number) {
  if (number.size() < 3 || number.size() > 16 || number[0] != '+' || number[1] < '1' ||
      number[1] > '9') {
    return false;
  }
  for (char c : number.substr(1)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace callcontrol::provider_sim
