// Latency histogram with log-linear buckets (HdrHistogram-like), fixed size and trivially
// copyable so that it can live in memory shared between the load generator's processes and be
// merged by the coordinator after the workers exit.
//
// Resolution: 64 sub-buckets per power of two, i.e. a relative error below 1.6% for any value;
// the exact maximum is kept separately. Values are nanoseconds; the range is 0 .. 2^63.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace gyre::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 6;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = (64 - kSubBits + 1) * kSub;  // covers every uint64_t

  void Record(uint64_t v) {
    ++counts_[Index(v)];
    ++total_;
    if (v > max_) max_ = v;
  }

  void Merge(const Histogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }

  void Clear() { std::memset(this, 0, sizeof(*this)); }

  uint64_t count() const { return total_; }
  uint64_t max() const { return max_; }

  // The smallest recorded value v such that at least `q` (0..1) of the values are <= v,
  // reported as the upper edge of its bucket (clamped to the exact maximum).
  uint64_t Quantile(double q) const {
    if (total_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.5);
    rank = std::clamp<uint64_t>(rank, 1, total_);
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(UpperEdge(i), max_);
    }
    return max_;
  }

  // Values below kSub have their own bucket; above, bucket (shift + 1, sub) holds
  // [(kSub + sub) << shift, (kSub + sub + 1) << shift).
  static int Index(uint64_t v) {
    if (v < static_cast<uint64_t>(kSub)) return static_cast<int>(v);
    int shift = (63 - std::countl_zero(v)) - kSubBits;
    return (shift + 1) * kSub + static_cast<int>((v >> shift) - kSub);
  }

  static uint64_t UpperEdge(int index) {
    if (index < kSub) return static_cast<uint64_t>(index);
    int shift = index / kSub - 1;
    uint64_t sub = static_cast<uint64_t>(index % kSub);
    return ((kSub + sub + 1) << shift) - 1;
  }

 private:
  uint64_t counts_[kBuckets];
  uint64_t total_;
  uint64_t max_;
};

}  // namespace gyre::bench
