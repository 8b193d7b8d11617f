#include "tools/provider_sim/multipart.h"

#include <cctype>

namespace callcontrol::provider_sim {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits "type; k=v; k2="v 2"" into the type and its parameters (keys lower-cased, quoted
// values unescaped). A ';' inside a quoted value does not split.
struct HeaderValue {
  std::string value;
  std::vector<std::pair<std::string, std::string>> params;
  const std::string* Param(std::string_view key) const {
    for (const auto& [k, v] : params) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

HeaderValue ParseHeaderValue(std::string_view s) {
  HeaderValue out;
  size_t i = s.find(';');
  out.value = Lower(Trim(s.substr(0, i)));
  while (i != std::string_view::npos && i < s.size()) {
    ++i;  // past ';'
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const size_t eq = s.find('=', i);
    const size_t semi = s.find(';', i);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      i = semi;
      continue;
    }
    const std::string key = Lower(Trim(s.substr(i, eq - i)));
    i = eq + 1;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i++]);
      }
      i = s.find(';', i);
    } else {
      const size_t end = s.find(';', i);
      value = std::string(Trim(s.substr(i, end == std::string_view::npos ? end : end - i)));
      i = end;
    }
    out.params.emplace_back(key, std::move(value));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> MultipartBoundary(std::string_view content_type) {
  const HeaderValue header = ParseHeaderValue(content_type);
  if (header.value != "multipart/form-data") {
    return absl::InvalidArgumentError("Content-Type is not multipart/form-data");
  }
  const std::string* boundary = header.Param("boundary");
  if (boundary == nullptr || boundary->empty() || boundary->size() > 70) {
    return absl::InvalidArgumentError("multipart/form-data without a valid boundary");
  }
  return *boundary;
}

absl::StatusOr<std::vector<MultipartPart>> ParseMultipart(std::string_view body,
                                                          std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  const std::string inner_delimiter = "\r\n" + delimiter;
  size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    pos = body.find(inner_delimiter);
    if (pos == std::string_view::npos) return absl::InvalidArgumentError("no multipart boundary");
    pos += inner_delimiter.size();
  }
  std::vector<MultipartPart> parts;
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // close delimiter
    // Transport padding (spaces/tabs) then CRLF ends the delimiter line.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") {
      return absl::InvalidArgumentError("malformed multipart delimiter line");
    }
    pos += 2;
    const size_t headers_end = body.find("\r\n\r\n", pos);
    // A part with no headers at all starts with the blank line directly.
    std::string_view headers;
    size_t data_start;
    if (body.substr(pos, 2) == "\r\n") {
      data_start = pos + 2;
    } else if (headers_end == std::string_view::npos) {
      return absl::InvalidArgumentError("multipart part without a header block");
    } else {
      headers = body.substr(pos, headers_end - pos);
      data_start = headers_end + 4;
    }
    const size_t data_end = body.find(inner_delimiter, data_start);
    if (data_end == std::string_view::npos) {
      return absl::InvalidArgumentError("multipart body without a close delimiter");
    }
    MultipartPart part;
    bool has_disposition = false;
    size_t line_start = 0;
    while (line_start < headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      const std::string_view line = headers.substr(line_start, line_end - line_start);
      line_start = line_end + 2;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string header_name = Lower(Trim(line.substr(0, colon)));
      const std::string_view value = Trim(line.substr(colon + 1));
      if (header_name == "content-disposition") {
        const HeaderValue disposition = ParseHeaderValue(value);
        if (disposition.value != "form-data") continue;
        const std::string* name = disposition.Param("name");
        if (name == nullptr) continue;
        has_disposition = true;
        part.name = *name;
        if (const std::string* filename = disposition.Param("filename"); filename != nullptr) {
          part.has_filename = true;
          part.filename = *filename;
        }
      } else if (header_name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!has_disposition) {
      return absl::InvalidArgumentError("multipart part without Content-Disposition: form-data");
    }
    part.data = std::string(body.substr(data_start, data_end - data_start));
    parts.push_back(std::move(part));
    pos = data_end + inner_delimiter.size();
  }
}

}  // namespace callcontrol::provider_sim
