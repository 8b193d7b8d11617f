#include "tools/bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace callcontrol::bench {
namespace {

// Values below 2^kSubBits nanoseconds get one bucket each; above, each power of two is split
// into 2^(kSubBits-1) equal buckets.
constexpr int kSubBits = 7;
constexpr uint64_t kLinear = uint64_t{1} << kSubBits;           // 128
constexpr uint64_t kPerOctave = uint64_t{1} << (kSubBits - 1);  // 64
constexpr int kMaxBits = 42;                                    // 2^42 ns ~ 73 minutes
constexpr int kBuckets = kLinear + (kMaxBits - kSubBits) * kPerOctave;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

int LatencyHistogram::BucketOf(uint64_t nanos) {
  if (nanos < kLinear) {
    return static_cast<int>(nanos);
  }
  const int msb = 63 - std::countl_zero(nanos);  // >= kSubBits
  const int shift = msb - (kSubBits - 1);        // >= 1
  const uint64_t top = nanos >> shift;           // in [kPerOctave, 2 * kPerOctave)
  const int bucket = static_cast<int>(kLinear + (shift - 1) * kPerOctave + (top - kPerOctave));
  return std::min(bucket, kBuckets - 1);
}

uint64_t LatencyHistogram::BucketMidpoint(int bucket) {
  if (bucket < static_cast<int>(kLinear)) {
    return static_cast<uint64_t>(bucket);
  }
  const int shift = (bucket - static_cast<int>(kLinear)) / static_cast<int>(kPerOctave) + 1;
  const uint64_t top = (bucket - kLinear) % kPerOctave + kPerOctave;
  return (top << shift) + ((uint64_t{1} << shift) >> 1);
}

void LatencyHistogram::Record(absl::Duration latency) {
  const int64_t signed_nanos = absl::ToInt64Nanoseconds(latency);
  const uint64_t nanos = signed_nanos < 0 ? 0 : static_cast<uint64_t>(signed_nanos);
  ++buckets_[BucketOf(nanos)];
  ++count_;
  min_nanos_ = std::min(min_nanos_, nanos);
  max_nanos_ = std::max(max_nanos_, nanos);
  sum_nanos_ += static_cast<long double>(nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) {
    buckets_[i] += other.buckets_[i];
  }
  count_ += other.count_;
  min_nanos_ = std::min(min_nanos_, other.min_nanos_);
  max_nanos_ = std::max(max_nanos_, other.max_nanos_);
  sum_nanos_ += other.sum_nanos_;
}

absl::Duration LatencyHistogram::min() const {
  return count_ == 0 ? absl::ZeroDuration() : absl::Nanoseconds(min_nanos_);
}

absl::Duration LatencyHistogram::max() const {
  return count_ == 0 ? absl::ZeroDuration() : absl::Nanoseconds(max_nanos_);
}

absl::Duration LatencyHistogram::mean() const {
  if (count_ == 0) {
    return absl::ZeroDuration();
  }
  return absl::Nanoseconds(static_cast<double>(sum_nanos_ / count_));
}

absl::Duration LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) {
    return absl::ZeroDuration();
  }
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the sample at quantile q (1-based), as "nearest rank".
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * count_)));
  int64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const uint64_t value =
          std::clamp(BucketMidpoint(static_cast<int>(i)), min_nanos_, max_nanos_);
      return absl::Nanoseconds(value);
    }
  }
  return absl::Nanoseconds(max_nanos_);
}

nlohmann::json LatencyJsonMs(const LatencyHistogram& latency) {
  auto ms = [](absl::Duration d) { return absl::ToDoubleMilliseconds(d); };
  return {{"count", latency.count()},           {"p50", ms(latency.Percentile(0.5))},
          {"p90", ms(latency.Percentile(0.9))}, {"p99", ms(latency.Percentile(0.99))},
          {"max", ms(latency.max())},           {"mean", ms(latency.mean())}};
}

}  // namespace callcontrol::bench
