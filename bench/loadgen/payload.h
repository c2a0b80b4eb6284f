// The publication payload: a JSON object of a fixed size whose one string carries a marker
// with the sequence number, the publisher index and the publish time, so that a subscriber can
// measure latency and detect loss and duplication without parsing JSON:
//
//   {"k":"gb1.SSSSSSSS.PPPP.TTTTTTTTTTTTTTTT.xxxx...x"}
//
// S = sequence (hex, per publisher), P = publisher index (hex), T = CLOCK_MONOTONIC ns (hex).
// The same bytes reach JSON and protobuf subscribers (spec §1.8), so one scanner serves both.
#pragma once

#include <time.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gyre::bench {

inline uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

struct Marker {
  uint32_t seq = 0;
  uint32_t publisher = 0;
  uint64_t sent_ns = 0;
};

constexpr std::string_view kMarkerTag = "gb1.";
constexpr size_t kMarkerLen = 4 + 8 + 1 + 4 + 1 + 16 + 1;  // tag, fields and dots
constexpr size_t kMinPayload = 6 + kMarkerLen + 2;         // {"k":" marker "}

inline void PutHex(char* out, uint64_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[i] = kHex[v & 15];
}

// Writes a payload of exactly `size` bytes (>= kMinPayload) into `out` (resized).
inline void BuildPayload(const Marker& m, size_t size, std::string& out) {
  if (size < kMinPayload) size = kMinPayload;
  out.assign(size, 'x');
  char* p = out.data();
  std::memcpy(p, "{\"k\":\"gb1.", 10);
  PutHex(p + 10, m.seq, 8);
  p[18] = '.';
  PutHex(p + 19, m.publisher, 4);
  p[23] = '.';
  PutHex(p + 24, m.sent_ns, 16);
  p[40] = '.';
  out[size - 2] = '"';
  out[size - 1] = '}';
}

inline bool ParseHex(const char* p, int digits, uint64_t& v) {
  v = 0;
  for (int i = 0; i < digits; ++i) {
    char c = p[i];
    uint64_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  return true;
}

// Finds the first marker in `msg`. False when there is none (not a benchmark publication).
inline bool FindMarker(std::string_view msg, Marker& m) {
  const void* hit = memmem(msg.data(), msg.size(), kMarkerTag.data(), kMarkerTag.size());
  if (hit == nullptr) return false;
  const char* p = static_cast<const char*>(hit);
  if (static_cast<size_t>(msg.data() + msg.size() - p) < kMarkerLen) return false;
  uint64_t seq, pub, ts;
  if (!ParseHex(p + 4, 8, seq) || !ParseHex(p + 13, 4, pub) || !ParseHex(p + 18, 16, ts)) {
    return false;
  }
  m.seq = static_cast<uint32_t>(seq);
  m.publisher = static_cast<uint32_t>(pub);
  m.sent_ns = ts;
  return true;
}

}  // namespace gyre::bench
