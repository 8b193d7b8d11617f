#include "common/http/form.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>

namespace callcontrol::http {
namespace {

struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Decodes %XX (and, for form data, '+' as a space) with curl_easy_unescape.
absl::StatusOr<std::string> DecodeComponent(std::string_view in, bool plus_is_space = true) {
  std::string plus_as_space(in);
  for (size_t i = 0; i < plus_as_space.size(); ++i) {
    if (plus_as_space[i] == '+' && plus_is_space) {
      plus_as_space[i] = ' ';
    } else if (plus_as_space[i] == '%' &&
               (i + 2 >= plus_as_space.size() || !IsHex(plus_as_space[i + 1]) ||
                !IsHex(plus_as_space[i + 2]))) {
      return absl::InvalidArgumentError("malformed %-escape");
    }
  }
  int out_len = 0;
  // curl ignores the handle argument since 7.82; nullptr is allowed.
  std::unique_ptr<char, CurlFree> decoded(curl_easy_unescape(
      nullptr, plus_as_space.data(), static_cast<int>(plus_as_space.size()), &out_len));
  if (decoded == nullptr) {
    return absl::ResourceExhaustedError("out of memory decoding form data");
  }
  std::string out(decoded.get(), static_cast<size_t>(out_len));
  if (out.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("%00 (NUL byte) in an encoded value");
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(std::string_view s) {
  return DecodeComponent(s, /*plus_is_space=*/false);
}

absl::StatusOr<FormParams> ParseForm(std::string_view body) {
  FormParams params;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view segment = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (segment.empty()) continue;
    const size_t eq = segment.find('=');
    auto name = DecodeComponent(segment.substr(0, eq));
    if (!name.ok()) return name.status();
    std::string value;
    if (eq != std::string_view::npos) {
      auto decoded = DecodeComponent(segment.substr(eq + 1));
      if (!decoded.ok()) return decoded.status();
      value = *std::move(decoded);
    }
    params.emplace_back(*std::move(name), std::move(value));
  }
  return params;
}

std::string PercentEncode(std::string_view s) {
  std::unique_ptr<char, CurlFree> encoded(
      curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size())));
  return encoded ? std::string(encoded.get()) : std::string();
}

std::string EncodeForm(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += PercentEncode(name);
    out.push_back('=');
    out += PercentEncode(value);
  }
  return out;
}

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace callcontrol::http
