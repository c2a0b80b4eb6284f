#include "codec/fossil.h"

#include <vector>

namespace gyre::codec {

namespace {

constexpr int kBlock = 16;           // landmark block and hash window size
constexpr int kMaxCandidates = 249;  // landmark collisions examined per target position
constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";

void PutInt(std::string& out, uint32_t v) {
  char buf[8];
  int n = 0;
  do {
    buf[n++] = kDigits[v & 63];
    v >>= 6;
  } while (v > 0);
  while (n > 0) out.push_back(buf[--n]);
}

// Number of digits PutInt writes for v.
int DigitCount(int v) {
  int digits = 1;
  for (int64_t limit = 64; v >= limit; limit <<= 6) ++digits;
  return digits;
}

inline uint16_t Byte(std::string_view s, int i) {
  return static_cast<unsigned char>(s[static_cast<size_t>(i)]);
}

// Rolling hash over a window of kBlock bytes: a = sum of bytes, b = sum of bytes weighted by
// their distance from the window's end; both modulo 2^16.
class RollingHash {
 public:
  void Init(std::string_view s, int pos) {
    uint16_t a = 0, b = 0;
    for (int k = 0; k < kBlock; ++k) {
      uint16_t x = Byte(s, pos + k);
      a = static_cast<uint16_t>(a + x);
      b = static_cast<uint16_t>(b + (kBlock - k) * x);
      window_[k] = static_cast<uint8_t>(x);
    }
    a_ = a;
    b_ = b;
    head_ = 0;
  }
  void Next(uint8_t c) {
    uint16_t old = window_[head_];
    window_[head_] = c;
    head_ = (head_ + 1) & (kBlock - 1);
    a_ = static_cast<uint16_t>(a_ - old + c);
    b_ = static_cast<uint16_t>(b_ - kBlock * old + a_);
  }
  uint32_t Value() const { return static_cast<uint32_t>(a_) | (static_cast<uint32_t>(b_) << 16); }

 private:
  uint16_t a_ = 0, b_ = 0;
  int head_ = 0;
  uint8_t window_[kBlock] = {};
};

void PutInsert(std::string& out, std::string_view target, int from, int count) {
  PutInt(out, static_cast<uint32_t>(count));
  out.push_back(':');
  out.append(target.data() + from, static_cast<size_t>(count));
}

}  // namespace

uint32_t FossilChecksum(std::string_view data) {
  const auto* z = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  while (n >= 4) {
    s0 += z[0];
    s1 += z[1];
    s2 += z[2];
    s3 += z[3];
    z += 4;
    n -= 4;
  }
  s3 += (s2 << 8) + (s1 << 16) + (s0 << 24);
  switch (n) {
    case 3:
      s3 += static_cast<uint32_t>(z[2]) << 8;
      [[fallthrough]];
    case 2:
      s3 += static_cast<uint32_t>(z[1]) << 16;
      [[fallthrough]];
    case 1:
      s3 += static_cast<uint32_t>(z[0]) << 24;
      break;
    default:
      break;
  }
  return s3;
}

std::string FossilDelta(std::string_view source, std::string_view target) {
  const int src_len = static_cast<int>(source.size());
  const int out_len = static_cast<int>(target.size());
  std::string delta;
  delta.reserve(target.size() / 4 + 32);
  PutInt(delta, static_cast<uint32_t>(out_len));
  delta.push_back('\n');

  if (src_len <= kBlock) {
    PutInsert(delta, target, 0, out_len);
    PutInt(delta, FossilChecksum(target));
    delta.push_back(';');
    return delta;
  }

  // Index the source: every whole block but the last-starting one, chained by hash bucket.
  const int num_hash = src_len / kBlock;
  std::vector<int> collide(static_cast<size_t>(num_hash), -1);
  std::vector<int> landmark(static_cast<size_t>(num_hash), -1);
  RollingHash h;
  for (int i = 0; i < src_len - kBlock; i += kBlock) {
    h.Init(source, i);
    int hv = static_cast<int>(h.Value() % static_cast<uint32_t>(num_hash));
    collide[static_cast<size_t>(i / kBlock)] = landmark[static_cast<size_t>(hv)];
    landmark[static_cast<size_t>(hv)] = i / kBlock;
  }

  int base = 0;  // everything before target[base] is already encoded
  while (base + kBlock < out_len) {
    int best_count = 0, best_offset = 0, best_literal = 0;
    h.Init(target, base);
    int i = 0;  // trying to match a landmark against target[base + i]
    while (true) {
      int hv = static_cast<int>(h.Value() % static_cast<uint32_t>(num_hash));
      int block = landmark[static_cast<size_t>(hv)];
      int candidates = kMaxCandidates;
      while (block >= 0 && candidates-- > 0) {
        const int src_at = block * kBlock;
        // Forward match from source[src_at] / target[base + i].
        int x = src_at, y = base + i;
        while (x < src_len && y < out_len &&
               source[static_cast<size_t>(x)] == target[static_cast<size_t>(y)]) {
          ++x;
          ++y;
        }
        const int forward = x - src_at;  // >= 0
        // Backward match, not before target[base] nor source[1].
        int back = 1;
        while (back < src_at && back <= i &&
               source[static_cast<size_t>(src_at - back)] ==
                   target[static_cast<size_t>(base + i - back)]) {
          ++back;
        }
        --back;
        const int offset = src_at - back;
        const int count = forward + back;
        const int literal = i - back;
        // Bytes the insert header and copy command cost, not counting the inserted text.
        const int cost = DigitCount(literal) + DigitCount(count) + DigitCount(offset) + 3;
        if (count >= cost && count > best_count) {
          best_count = count;
          best_offset = offset;
          best_literal = literal;
        }
        block = collide[static_cast<size_t>(block)];
      }

      if (best_count > 0) {
        if (best_literal > 0) {
          PutInsert(delta, target, base, best_literal);
          base += best_literal;
        }
        base += best_count;
        PutInt(delta, static_cast<uint32_t>(best_count));
        delta.push_back('@');
        PutInt(delta, static_cast<uint32_t>(best_offset));
        delta.push_back(',');
        break;
      }
      if (base + i + kBlock >= out_len) {
        // No match up to the end: insert the rest.
        PutInsert(delta, target, base, out_len - base);
        base = out_len;
        break;
      }
      h.Next(static_cast<uint8_t>(target[static_cast<size_t>(base + i + kBlock)]));
      ++i;
    }
  }
  if (base < out_len) PutInsert(delta, target, base, out_len - base);
  PutInt(delta, FossilChecksum(target));
  delta.push_back(';');
  return delta;
}

}  // namespace gyre::codec
