// Protobuf wire format primitives: varints, tags, length-delimited fields, skipping.
//
// Writers append to a std::string and follow proto3 rules for singular scalars (zero values are
// not written). Readers never read past their end and report truncation as failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gyre::codec::pb {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

inline constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes the varint into `buf` (at least 10 bytes) and returns its length.
inline size_t EncodeVarint(uint64_t v, char* buf) {
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  return n;
}

inline void AppendVarint(std::string& out, uint64_t v) {
  if (v < 0x80) {
    out.push_back(static_cast<char>(v));
    return;
  }
  char buf[10];
  out.append(buf, EncodeVarint(v, buf));
}

inline uint64_t ZigZag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag64(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

inline void AppendTag(std::string& out, uint32_t field, WireType type) {
  AppendVarint(out, (static_cast<uint64_t>(field) << 3) | type);
}

// Singular proto3 fields: nothing is written for a zero value.
inline void AppendUintField(std::string& out, uint32_t field, uint64_t v) {
  if (v == 0) return;
  AppendTag(out, field, kVarint);
  AppendVarint(out, v);
}
// int32/int64 are written as the two's complement 64-bit varint (10 bytes when negative).
inline void AppendIntField(std::string& out, uint32_t field, int64_t v) {
  AppendUintField(out, field, static_cast<uint64_t>(v));
}
inline void AppendSint64Field(std::string& out, uint32_t field, int64_t v) {
  AppendUintField(out, field, ZigZag64(v));
}
inline void AppendBoolField(std::string& out, uint32_t field, bool v) {
  if (!v) return;
  AppendTag(out, field, kVarint);
  out.push_back('\x01');
}
// string and bytes.
inline void AppendBytesField(std::string& out, uint32_t field, std::string_view v) {
  if (v.empty()) return;
  AppendTag(out, field, kLen);
  AppendVarint(out, v.size());
  out.append(v);
}
// A map entry's key/value and repeated elements are written even when empty.
inline void AppendBytesAlways(std::string& out, uint32_t field, std::string_view v) {
  AppendTag(out, field, kLen);
  AppendVarint(out, v.size());
  out.append(v);
}

// Writes a length prefix for bytes appended after it, without knowing the length up front: a
// one-byte placeholder is reserved (the common case, bodies under 128 bytes) and the tail is
// shifted once in Close() when the prefix turns out longer.
class LengthPrefix {
 public:
  explicit LengthPrefix(std::string& out) : out_(out), pos_(out.size()) { out_.push_back('\0'); }
  LengthPrefix(const LengthPrefix&) = delete;
  LengthPrefix& operator=(const LengthPrefix&) = delete;
  ~LengthPrefix() { Close(); }

  void Close() {
    if (closed_) return;
    closed_ = true;
    uint64_t len = out_.size() - pos_ - 1;
    if (len < 0x80) {
      out_[pos_] = static_cast<char>(len);
      return;
    }
    char buf[10];
    size_t n = EncodeVarint(len, buf);
    out_[pos_] = buf[0];
    out_.insert(pos_ + 1, buf + 1, n - 1);
  }

 private:
  std::string& out_;
  size_t pos_;
  bool closed_ = false;
};

// Starts a length-delimited field whose body the caller appends; close the returned prefix (or
// let it go out of scope) when done.
inline void AppendLenTag(std::string& out, uint32_t field) {
  AppendTag(out, field, kLen);
}

class Reader {
 public:
  explicit Reader(std::string_view data)
      : p_(reinterpret_cast<const uint8_t*>(data.data())), end_(p_ + data.size()) {}

  bool done() const { return p_ >= end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  // Reads a varint of at most 10 bytes. Bits beyond 64 are dropped, as Go's generated decoders
  // do; a varint running past the end or longer than 10 bytes fails.
  bool ReadVarint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ >= end_) return false;
      uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7F) << (shift < 64 ? shift : 63);
      if (b < 0x80) return true;
    }
    return false;
  }

  // Reads a field key. Field number 0, numbers beyond 2^29-1 and wire types 6 and 7 fail.
  bool ReadTag(uint32_t& field, WireType& type) {
    uint64_t key;
    if (!ReadVarint(key)) return false;
    uint64_t f = key >> 3;
    uint32_t t = static_cast<uint32_t>(key & 7);
    if (f == 0 || f > kMaxFieldNumber || t > kFixed32) return false;
    field = static_cast<uint32_t>(f);
    type = static_cast<WireType>(t);
    return true;
  }

  bool ReadLen(std::string_view& v) {
    uint64_t n;
    if (!ReadVarint(n)) return false;
    if (n > remaining()) return false;
    v = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return true;
  }

  bool Skip(size_t n) {
    if (n > remaining()) return false;
    p_ += n;
    return true;
  }

  // Skips the value of a field already keyed by (field, type). Groups are skipped up to their
  // matching end-group key; a stray end-group fails.
  bool SkipField(uint32_t field, WireType type, int depth = 0) {
    switch (type) {
      case kVarint: {
        uint64_t v;
        return ReadVarint(v);
      }
      case kFixed64:
        return Skip(8);
      case kFixed32:
        return Skip(4);
      case kLen: {
        std::string_view v;
        return ReadLen(v);
      }
      case kStartGroup: {
        if (depth >= kMaxGroupDepth) return false;
        while (true) {
          uint32_t f;
          WireType t;
          if (!ReadTag(f, t)) return false;
          if (t == kEndGroup) return f == field;
          if (!SkipField(f, t, depth + 1)) return false;
        }
      }
      case kEndGroup:
        return false;
    }
    return false;
  }

 private:
  static constexpr int kMaxGroupDepth = 64;
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace gyre::codec::pb
