// MetricsEndpoint over real HTTP on 127.0.0.1:0: a prometheus::Registry and CallbackCollectables
// scraped with our libcurl client, the page checked line by line against the text exposition
// format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include "server/observability/metrics_endpoint.h"

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "server/observability/metric_families.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::observability {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// Label values that need escaping in the exposition format.
constexpr char kNastyValue[] = "quote\"back\\slash\nline";

// ---- A strict parser for the text exposition format ----

struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct ParsedPage {
  std::map<std::string, std::string> help;  // family -> unescaped help
  std::map<std::string, std::string> type;  // family -> counter|gauge|histogram|summary|untyped
  std::vector<ParsedSample> samples;

  // The value of the sample `name` with exactly `labels`, or NaN.
  double Value(const std::string& name, const std::map<std::string, std::string>& labels) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nan("");
  }
  bool HasFamily(const std::string& name) const { return type.count(name) != 0; }
};

bool IsNameStart(char c, bool colon) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (colon && c == ':');
}
bool IsNameChar(char c, bool colon) {
  return IsNameStart(c, colon) || std::isdigit(static_cast<unsigned char>(c));
}

// Reads a metric (colon = true) or label name at `pos`; "" if none.
std::string ReadName(const std::string& line, size_t& pos, bool colon) {
  const size_t start = pos;
  if (pos >= line.size() || !IsNameStart(line[pos], colon)) return "";
  while (pos < line.size() && IsNameChar(line[pos], colon)) ++pos;
  return line.substr(start, pos - start);
}

bool ParseValue(const std::string& text, double* value) {
  if (text == "+Inf") {
    *value = INFINITY;
    return true;
  }
  if (text == "-Inf") {
    *value = -INFINITY;
    return true;
  }
  if (text == "NaN") {
    *value = std::nan("");
    return true;
  }
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// The family a sample name belongs to, given the declared types.
std::string FamilyOf(const std::string& sample, const ParsedPage& page) {
  if (page.HasFamily(sample)) return sample;
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (sample.size() > suffix.size() &&
        sample.compare(sample.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::string base = sample.substr(0, sample.size() - suffix.size());
      auto it = page.type.find(base);
      if (it != page.type.end() && (it->second == "histogram" || it->second == "summary")) {
        return base;
      }
    }
  }
  return "";
}

// Parses `body`; records the first problem in `error`.
ParsedPage ParsePage(const std::string& body, std::string* error) {
  ParsedPage page;
  if (!body.empty() && body.back() != '\n') *error = "page does not end with a line feed";
  std::istringstream in(body);
  std::string line;
  int number = 0;
  auto fail = [&](const std::string& why) {
    if (error->empty()) *error = "line " + std::to_string(number) + " (" + line + "): " + why;
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, keyword, name;
      words >> hash >> keyword >> name;
      if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
      size_t pos = 0;
      if (hash != "#" || ReadName(name, pos, true) != name || name.empty()) {
        fail("bad metric name in " + keyword);
        continue;
      }
      const std::string prefix = "# " + keyword + " " + name;
      std::string rest = line.size() > prefix.size() ? line.substr(prefix.size() + 1) : "";
      if (keyword == "HELP") {
        std::string help;
        for (size_t i = 0; i < rest.size(); ++i) {
          if (rest[i] != '\\') {
            help.push_back(rest[i]);
          } else if (i + 1 < rest.size() && rest[i + 1] == '\\') {
            help.push_back('\\'), ++i;
          } else if (i + 1 < rest.size() && rest[i + 1] == 'n') {
            help.push_back('\n'), ++i;
          } else {
            fail("bad escape in HELP");
          }
        }
        if (page.help.count(name) != 0) fail("second HELP for " + name);
        page.help[name] = help;
      } else {
        static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                                     "untyped"};
        if (kTypes.count(rest) == 0) fail("unknown TYPE " + rest);
        if (page.type.count(name) != 0) fail("second TYPE for " + name);
        page.type[name] = rest;
      }
      continue;
    }
    ParsedSample sample;
    size_t pos = 0;
    sample.name = ReadName(line, pos, true);
    if (sample.name.empty()) {
      fail("no metric name");
      continue;
    }
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      while (pos < line.size() && line[pos] != '}') {
        const std::string label = ReadName(line, pos, false);
        if (label.empty() || pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') {
          fail("bad label");
          break;
        }
        pos += 2;
        std::string value;
        bool closed = false;
        while (pos < line.size()) {
          const char c = line[pos++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c != '\\') {
            value.push_back(c);
            continue;
          }
          const char e = pos < line.size() ? line[pos++] : '\0';
          if (e == '\\' || e == '"') {
            value.push_back(e);
          } else if (e == 'n') {
            value.push_back('\n');
          } else {
            fail("bad escape in label value");
          }
        }
        if (!closed) fail("unterminated label value");
        if (sample.labels.count(label) != 0) fail("repeated label " + label);
        sample.labels[label] = value;
        if (pos < line.size() && line[pos] == ',') ++pos;
      }
      if (pos >= line.size() || line[pos] != '}') {
        fail("unterminated label set");
        continue;
      }
      ++pos;
    }
    if (pos >= line.size() || line[pos] != ' ') {
      fail("no space before the value");
      continue;
    }
    ++pos;
    std::string value_text = line.substr(pos);
    const size_t space = value_text.find(' ');
    if (space != std::string::npos) {
      const std::string timestamp = value_text.substr(space + 1);
      value_text.resize(space);
      double ignored = 0;
      if (!ParseValue(timestamp, &ignored)) fail("bad timestamp");
    }
    if (!ParseValue(value_text, &sample.value)) fail("bad value \"" + value_text + "\"");
    if (FamilyOf(sample.name, page).empty()) fail("sample before its # TYPE line");
    page.samples.push_back(std::move(sample));
  }
  return page;
}

// The checker itself: it must reject what Prometheus would reject.
TEST(ExpositionParserTest, RejectsMalformedPages) {
  const std::string good = "# HELP a_total A \\\\ b.\n# TYPE a_total counter\na_total{x=\"1\"} 2\n";
  std::string error;
  ParsePage(good, &error);
  EXPECT_EQ(error, "");
  for (const std::string bad : {
           "# HELP a_total raw\nsecond line\n# TYPE a_total counter\na_total 1\n",
           "a_total 1\n",                                             // no TYPE
           "# TYPE a_total counter\na_total{x=\"un\"escaped\"} 1\n",  // raw quote
           "# TYPE a_total counter\na_total{x=\"bad\\q\"} 1\n",       // unknown escape
           "# TYPE a_total counter\na_total{x=\"1\"}1\n",             // no space
           "# TYPE a_total counter\na_total abc\n",                   // value
           "# TYPE a_total counter\n# TYPE a_total counter\na_total 1\n",
           "# TYPE a_total counter\na_total 1",  // no final line feed
       }) {
    error.clear();
    ParsePage(bad, &error);
    EXPECT_NE(error, "") << bad;
  }
}

// ---- Fixture ----

http::ClientResponse Get(int port, const std::string& path, const std::string& method = "GET") {
  http::HttpClient client;
  http::ClientRequest request;
  request.method = method;
  request.url = "http://127.0.0.1:" + std::to_string(port) + path;
  request.timeout = std::chrono::milliseconds(5000);
  auto response = client.Send(request);
  EXPECT_THAT(response, IsOk());
  return response.ok() ? *response : http::ClientResponse{};
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<prometheus::Registry>();
    auto& requests = prometheus::BuildCounter()
                         .Name("test_requests_total")
                         .Help("Requests by path; help with a \\ and a\nsecond line.")
                         .Register(*registry_);
    requests.Add({{"path", "/calls"}}).Increment(3);
    requests.Add({{"path", kNastyValue}}).Increment();
    auto& latency = prometheus::BuildHistogram()
                        .Name("test_latency_seconds")
                        .Help("Request latency.")
                        .Register(*registry_);
    auto& histogram =
        latency.Add({{"method", "StartCall"}}, prometheus::Histogram::BucketBoundaries{0.1, 1});
    histogram.Observe(0.05);
    histogram.Observe(0.5);
    histogram.Observe(5);

    callback_ = std::make_shared<CallbackCollectable>([this] {
      ++scrapes_;
      return std::vector<prometheus::MetricFamily>{
          GaugeFamily("test_active_calls", "Calls not yet ended.",
                      {{{{"tenant", "acme"}}, 3}, {{{"tenant", kNastyValue}}, 1}}),
          CounterFamily("test_calls_started_total", "Calls started.",
                        {{{{"tenant", "acme"}, {"provider", "exotel"}},
                          static_cast<double>(scrapes_.load())}}),
          GaugeFamily("test_unlabelled", "No labels.", {{{}, -2.5}}),
      };
    });
  }

  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> StartEndpoint(
      std::vector<std::weak_ptr<prometheus::Collectable>> extra = {}) {
    std::vector<std::weak_ptr<prometheus::Collectable>> collectables = {registry_, callback_};
    for (auto& c : extra) collectables.push_back(std::move(c));
    return MetricsEndpoint::Start("127.0.0.1:0", std::move(collectables));
  }

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<CallbackCollectable> callback_;
  std::atomic<int> scrapes_{0};
};

TEST_F(MetricsEndpointTest, ServesAParseableTextExposition) {
  auto endpoint = StartEndpoint();
  ASSERT_THAT(endpoint, IsOk());
  ASSERT_GT((*endpoint)->port(), 0);
  const http::ClientResponse response = Get((*endpoint)->port(), "/metrics");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");

  std::string error;
  const ParsedPage page = ParsePage(response.body, &error);
  ASSERT_EQ(error, "") << response.body;

  // Every family has its HELP and TYPE.
  const std::map<std::string, std::string> expected_types = {
      {"test_requests_total", "counter"}, {"test_latency_seconds", "histogram"},
      {"test_active_calls", "gauge"},     {"test_calls_started_total", "counter"},
      {"test_unlabelled", "gauge"},
  };
  EXPECT_EQ(page.type, expected_types) << response.body;
  for (const auto& [name, type] : expected_types) {
    EXPECT_EQ(page.help.count(name), 1u) << name;
  }
  EXPECT_EQ(page.help.at("test_active_calls"), "Calls not yet ended.");
  EXPECT_EQ(page.help.at("test_requests_total"),
            "Requests by path; help with a \\ and a\nsecond line.");

  // Registry values, including a label value that needs escaping.
  EXPECT_EQ(page.Value("test_requests_total", {{"path", "/calls"}}), 3);
  EXPECT_EQ(page.Value("test_requests_total", {{"path", kNastyValue}}), 1);
  EXPECT_THAT(response.body, HasSubstr(R"(path="quote\"back\\slash\nline")"));
  EXPECT_EQ(page.Value("test_latency_seconds_bucket", {{"method", "StartCall"}, {"le", "0.1"}}), 1);
  EXPECT_EQ(page.Value("test_latency_seconds_bucket", {{"method", "StartCall"}, {"le", "1"}}), 2);
  EXPECT_EQ(page.Value("test_latency_seconds_bucket", {{"method", "StartCall"}, {"le", "+Inf"}}),
            3);
  EXPECT_EQ(page.Value("test_latency_seconds_count", {{"method", "StartCall"}}), 3);
  EXPECT_DOUBLE_EQ(page.Value("test_latency_seconds_sum", {{"method", "StartCall"}}), 5.55);

  // Callback values.
  EXPECT_EQ(page.Value("test_active_calls", {{"tenant", "acme"}}), 3);
  EXPECT_EQ(page.Value("test_active_calls", {{"tenant", kNastyValue}}), 1);
  EXPECT_EQ(page.Value("test_calls_started_total", {{"tenant", "acme"}, {"provider", "exotel"}}),
            1);
  EXPECT_EQ(page.Value("test_unlabelled", {}), -2.5);
  EXPECT_THAT(response.body, HasSubstr("\ntest_unlabelled -2.5\n"));
}

TEST_F(MetricsEndpointTest, CallbackRunsOnEveryScrape) {
  auto endpoint = StartEndpoint();
  ASSERT_THAT(endpoint, IsOk());
  for (int i = 1; i <= 3; ++i) {
    const http::ClientResponse response = Get((*endpoint)->port(), "/metrics");
    std::string error;
    const ParsedPage page = ParsePage(response.body, &error);
    ASSERT_EQ(error, "");
    EXPECT_EQ(page.Value("test_calls_started_total", {{"tenant", "acme"}, {"provider", "exotel"}}),
              i);
  }
}

TEST_F(MetricsEndpointTest, HealthzAndErrors) {
  auto endpoint = StartEndpoint();
  ASSERT_THAT(endpoint, IsOk());
  const int port = (*endpoint)->port();
  http::ClientResponse response = Get(port, "/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok\n");
  EXPECT_EQ(Get(port, "/").status, 404);
  EXPECT_EQ(Get(port, "/metrics/extra").status, 404);
  EXPECT_EQ(Get(port, "/nope", "POST").status, 404);
  EXPECT_EQ(Get(port, "/metrics", "POST").status, 405);
  EXPECT_EQ(Get(port, "/metrics", "DELETE").status, 405);
  EXPECT_EQ(Get(port, "/healthz", "PUT").status, 405);
  // A query string does not change the path.
  EXPECT_EQ(Get(port, "/metrics?name[]=test_unlabelled").status, 200);
}

TEST_F(MetricsEndpointTest, ExpiredCollectablesAreSkipped) {
  auto extra = std::make_shared<CallbackCollectable>([] {
    return std::vector<prometheus::MetricFamily>{GaugeFamily("test_extra", "Extra.", {{{}, 1}})};
  });
  auto endpoint = StartEndpoint({extra});
  ASSERT_THAT(endpoint, IsOk());
  EXPECT_THAT(Get((*endpoint)->port(), "/metrics").body, HasSubstr("test_extra 1"));
  extra.reset();
  const http::ClientResponse response = Get((*endpoint)->port(), "/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_THAT(response.body, Not(HasSubstr("test_extra")));
  EXPECT_THAT(response.body, HasSubstr("test_active_calls"));
}

TEST_F(MetricsEndpointTest, InvalidAndDuplicateFamiliesAreLeftOut) {
  auto bad = std::make_shared<CallbackCollectable>([] {
    return std::vector<prometheus::MetricFamily>{
        GaugeFamily("test-bad-name", "Dash in the name.", {{{}, 1}}),
        GaugeFamily("test_bad_label", "Dash in a label name.", {{{{"bad-label", "x"}}, 1}}),
        GaugeFamily("test_reserved_label", "Reserved label name.", {{{{"__name", "x"}}, 1}}),
        GaugeFamily("test_active_calls", "Duplicate of the first callback's.", {{{}, 42}}),
        GaugeFamily("test_good", "Kept.", {{{}, 7}}),
    };
  });
  auto endpoint = StartEndpoint({bad});
  ASSERT_THAT(endpoint, IsOk());
  const http::ClientResponse response = Get((*endpoint)->port(), "/metrics");
  ASSERT_EQ(response.status, 200);
  std::string error;
  const ParsedPage page = ParsePage(response.body, &error);
  ASSERT_EQ(error, "") << response.body;
  EXPECT_FALSE(page.HasFamily("test_bad_label"));
  EXPECT_FALSE(page.HasFamily("test_reserved_label"));
  EXPECT_THAT(response.body, Not(HasSubstr("test-bad-name")));
  EXPECT_EQ(page.Value("test_active_calls", {{"tenant", "acme"}}), 3);  // the first one wins
  EXPECT_TRUE(std::isnan(page.Value("test_active_calls", {})));
  EXPECT_EQ(page.Value("test_good", {}), 7);
}

TEST_F(MetricsEndpointTest, ThrowingCollectableGives500) {
  auto throwing = std::make_shared<CallbackCollectable>(
      []() -> std::vector<prometheus::MetricFamily> { throw std::runtime_error("store down"); });
  auto endpoint = StartEndpoint({throwing});
  ASSERT_THAT(endpoint, IsOk());
  EXPECT_EQ(Get((*endpoint)->port(), "/metrics").status, 500);
  EXPECT_EQ(Get((*endpoint)->port(), "/healthz").status, 200);
}

TEST_F(MetricsEndpointTest, BadAddressIsInvalidArgumentAndBusyPortIsUnavailable) {
  EXPECT_THAT(MetricsEndpoint::Start("no-port-here", {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto first = StartEndpoint();
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(MetricsEndpoint::Start("127.0.0.1:" + std::to_string((*first)->port()), {}),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(MetricsEndpointTest, ShutdownFreesThePortAndIsIdempotent) {
  auto endpoint = StartEndpoint();
  ASSERT_THAT(endpoint, IsOk());
  const int port = (*endpoint)->port();
  EXPECT_EQ(Get(port, "/healthz").status, 200);
  (*endpoint)->Shutdown();
  (*endpoint)->Shutdown();

  http::HttpClient client;
  http::ClientRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  request.timeout = std::chrono::milliseconds(2000);
  EXPECT_THAT(client.Send(request), StatusIs(absl::StatusCode::kUnavailable));

  auto again = MetricsEndpoint::Start("127.0.0.1:" + std::to_string(port), {registry_});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)->port(), port);
  EXPECT_THAT(Get(port, "/metrics").body, HasSubstr("test_requests_total"));
  endpoint->reset();  // the destructor after an explicit Shutdown is fine too
}

}  // namespace
}  // namespace callcontrol::observability
