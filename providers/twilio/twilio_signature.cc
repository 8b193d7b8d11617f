#include "providers/twilio/twilio_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace callcontrol::twilio {
namespace {

struct Authority {
  size_t host_begin = std::string_view::npos;  // after "scheme://" and userinfo
  size_t end = std::string_view::npos;         // first '/', '?' or '#' after the authority
  size_t port_colon = std::string_view::npos;  // ':' before the port, if any
};

Authority FindAuthority(std::string_view url) {
  Authority a;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return a;
  const size_t begin = scheme_end + 3;
  size_t end = url.find_first_of("/?#", begin);
  if (end == std::string_view::npos) end = url.size();
  const std::string_view authority = url.substr(begin, end - begin);
  const size_t at = authority.rfind('@');
  const size_t host_begin = at == std::string_view::npos ? 0 : at + 1;
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  a.host_begin = begin + host_begin;
  a.end = end;
  if (colon != std::string_view::npos && colon >= host_begin &&
      (bracket == std::string_view::npos || colon > bracket)) {
    a.port_colon = begin + colon;
  }
  return a;
}

std::string Base64(const unsigned char* data, size_t len) {
  std::string out(4 * ((len + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(len));
  out.resize(static_cast<size_t>(n));
  return out;
}

// The sorted "name value" concatenation Twilio appends to the URL.
std::string SortedParams(const http::FormParams& params) {
  std::map<std::string_view, std::set<std::string_view>> sorted;
  for (const auto& [name, value] : params) sorted[name].insert(value);
  std::string data;
  for (const auto& [name, values] : sorted) {
    for (const auto& value : values) {
      data.append(name);
      data.append(value);
    }
  }
  return data;
}

std::string Sign(std::string_view auth_token, std::string_view url, std::string_view params) {
  std::string data(url);
  data.append(params);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return Base64(mac, mac_len);
}

}  // namespace

std::string ComputeSignature(std::string_view auth_token, std::string_view url,
                             const http::FormParams& params) {
  return Sign(auth_token, url, SortedParams(params));
}

std::string UrlWithoutPort(std::string_view url) {
  const Authority a = FindAuthority(url);
  if (a.port_colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, a.port_colon));
  out.append(url.substr(a.end));
  return out;
}

std::string UrlWithDefaultPort(std::string_view url) {
  const Authority a = FindAuthority(url);
  if (a.end == std::string_view::npos || a.port_colon != std::string_view::npos) {
    return std::string(url);
  }
  std::string_view port;
  if (url.substr(0, 8) == "https://") {
    port = ":443";
  } else if (url.substr(0, 7) == "http://") {
    port = ":80";
  } else {
    return std::string(url);
  }
  std::string out(url.substr(0, a.end));
  out.append(port);
  out.append(url.substr(a.end));
  return out;
}

bool ValidateSignature(std::string_view auth_token, std::string_view url,
                       const http::FormParams& params, std::string_view signature) {
  if (auth_token.empty() || signature.empty()) return false;
  const std::string sorted = SortedParams(params);
  auto matches = [&](std::string_view candidate_url) {
    const std::string expected = Sign(auth_token, candidate_url, sorted);
    return expected.size() == signature.size() &&
           CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
  };
  // Evaluate every candidate so the time taken does not depend on which one matched.
  const bool exact = matches(url);
  const bool without_port = matches(UrlWithoutPort(url));
  const bool with_port = matches(UrlWithDefaultPort(url));
  return exact || without_port || with_port;
}

}  // namespace callcontrol::twilio
