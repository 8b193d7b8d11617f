// A strict reader of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), for tests
// that check what GET /metrics serves: every line must be a HELP or TYPE comment or a sample.
#pragma once

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace callcontrol::webhook_adapter {

struct PrometheusText {
  // Metric family name -> TYPE (counter, gauge, histogram, summary, untyped).
  std::map<std::string, std::string> types;
  // SeriesKey(name, labels) -> value.
  std::map<std::string, double> samples;
};

// `name{k1="v1",k2="v2"}` with the labels sorted by name; `name` when there are none.
inline std::string SeriesKey(const std::string& name,
                             std::vector<std::pair<std::string, std::string>> labels) {
  if (labels.empty()) return name;
  std::sort(labels.begin(), labels.end());
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) parts.push_back(k + "=\"" + v + "\"");
  return name + "{" + absl::StrJoin(parts, ",") + "}";
}

// Parses `body`; kInvalidArgument naming the first line that is not valid exposition text, or a
// sample whose family has no TYPE line before it.
inline absl::StatusOr<PrometheusText> ParsePrometheusText(const std::string& body) {
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex kSample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?[0-9]+)?)");
  static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  PrometheusText text;
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError("exposition text must end with a newline");
  }
  for (const absl::string_view view : absl::StrSplit(body, '\n', absl::SkipEmpty())) {
    const std::string line(view);
    std::smatch m;
    if (std::regex_match(line, m, kType)) {
      text.types[m[1]] = m[2];
      continue;
    }
    if (std::regex_match(line, kHelp)) continue;
    if (!std::regex_match(line, m, kSample)) {
      return absl::InvalidArgumentError("not a sample: " + line);
    }
    const std::string name = m[1];
    std::vector<std::pair<std::string, std::string>> labels;
    std::string rest = m[3];
    while (!rest.empty()) {
      std::smatch l;
      if (!std::regex_search(rest, l, kLabel, std::regex_constants::match_continuous)) {
        return absl::InvalidArgumentError("bad labels: " + line);
      }
      labels.emplace_back(l[1], l[2]);
      rest = l.suffix();
      if (!rest.empty()) {
        if (rest[0] != ',') return absl::InvalidArgumentError("bad labels: " + line);
        rest.erase(0, 1);
      }
    }
    double value = 0;
    const std::string value_text = m[4];
    if (value_text != "+Inf" && value_text != "-Inf" && value_text != "NaN" &&
        !absl::SimpleAtod(value_text, &value)) {
      return absl::InvalidArgumentError("bad value: " + line);
    }
    // A histogram's samples are name_bucket, name_sum, name_count.
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (text.types.count(family) == 0 && family.size() > s.size() &&
          family.compare(family.size() - s.size(), s.size(), s) == 0 &&
          text.types.count(family.substr(0, family.size() - s.size())) > 0) {
        family = family.substr(0, family.size() - s.size());
      }
    }
    if (text.types.count(family) == 0) {
      return absl::InvalidArgumentError("sample before its TYPE line: " + line);
    }
    text.samples[SeriesKey(name, std::move(labels))] = value;
  }
  return text;
}

// The value of a series, or 0 when it is absent (a counter not yet incremented may be absent).
inline double SampleOr0(const PrometheusText& text, const std::string& name,
                        std::vector<std::pair<std::string, std::string>> labels = {}) {
  const auto it = text.samples.find(SeriesKey(name, std::move(labels)));
  return it == text.samples.end() ? 0 : it->second;
}

}  // namespace callcontrol::webhook_adapter
