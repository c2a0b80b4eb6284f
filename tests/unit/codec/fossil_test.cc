#include "codec/fossil.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

namespace gyre::codec {
namespace {

// A strict decoder of the Fossil delta format, written from the format description, used to
// check that every delta reproduces its target.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool more() const { return pos_ < s_.size(); }
  std::optional<uint32_t> Int() {
    uint64_t v = 0;
    size_t start = pos_;
    while (pos_ < s_.size()) {
      int d = Digit(s_[pos_]);
      if (d < 0) break;
      v = (v << 6) | static_cast<uint64_t>(d);
      ++pos_;
    }
    if (pos_ == start || v > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(v);
  }
  std::optional<char> Char() {
    if (pos_ >= s_.size()) return std::nullopt;
    return s_[pos_++];
  }
  std::optional<std::string_view> Bytes(size_t n) {
    if (s_.size() - pos_ < n) return std::nullopt;
    auto out = s_.substr(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  static int Digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    if (c == '_') return 36;
    if (c >= 'a' && c <= 'z') return c - 'a' + 37;
    if (c == '~') return 63;
    return -1;
  }
  std::string_view s_;
  size_t pos_ = 0;
};

std::optional<std::string> Apply(std::string_view source, std::string_view delta) {
  Reader r(delta);
  auto size = r.Int();
  if (!size || r.Char() != '\n') return std::nullopt;
  std::string out;
  while (r.more()) {
    auto n = r.Int();
    auto op = r.Char();
    if (!n || !op) return std::nullopt;
    if (*op == '@') {
      auto offset = r.Int();
      if (!offset || r.Char() != ',') return std::nullopt;
      if (static_cast<uint64_t>(*offset) + *n > source.size()) return std::nullopt;
      out.append(source.substr(*offset, *n));
    } else if (*op == ':') {
      auto bytes = r.Bytes(*n);
      if (!bytes) return std::nullopt;
      out.append(*bytes);
    } else if (*op == ';') {
      if (r.more() || *n != FossilChecksum(out) || out.size() != *size) return std::nullopt;
      return out;
    } else {
      return std::nullopt;
    }
    if (out.size() > *size) return std::nullopt;
  }
  return std::nullopt;  // no checksum
}

void ExpectRoundTrip(std::string_view source, std::string_view target) {
  std::string delta = FossilDelta(source, target);
  auto got = Apply(source, delta);
  ASSERT_TRUE(got.has_value()) << "undecodable delta: " << delta;
  EXPECT_EQ(*got, target);
}

TEST(Fossil, EmptySourceIsOneInsert) {
  EXPECT_EQ(FossilDelta("", "hello"), "5\n5:hello" + FossilDelta("", "hello").substr(9));
  ExpectRoundTrip("", "hello");
  ExpectRoundTrip("", "");
}

TEST(Fossil, EmptyTarget) {
  // Length 0, no commands, checksum of nothing (0).
  EXPECT_EQ(FossilDelta("some source text that is long enough", ""), "0\n0;");
  ExpectRoundTrip("abc", "");
}

TEST(Fossil, ShortSourceInsertsEverything) {
  std::string d = FossilDelta("0123456789abcdef", "0123456789abcdef!");
  EXPECT_EQ(d.substr(0, 21), "H\nH:0123456789abcdef!");
  ExpectRoundTrip("0123456789abcdef", "0123456789abcdef!");
}

TEST(Fossil, IdenticalIsOneCopy) {
  std::string s = R"({"text":"hello world, this is a chat message","n":1})";
  std::string d = FossilDelta(s, s);
  // "<len>\n<len>@0,<checksum>;"
  std::string len = d.substr(0, d.find('\n'));
  EXPECT_EQ(d.substr(0, d.find(',') + 1), len + "\n" + len + "@0,");
  EXPECT_LT(d.size(), 16u);
  ExpectRoundTrip(s, s);
}

TEST(Fossil, SimilarJsonIsSmall) {
  std::string a = R"({"input":"hello world, a long enough payload for deltas","counter":1})";
  std::string b = R"({"input":"hello world, a long enough payload for deltas","counter":2})";
  std::string d = FossilDelta(a, b);
  EXPECT_LT(d.size(), b.size() / 2) << d;
  ExpectRoundTrip(a, b);
}

TEST(Fossil, CompletelyDifferent) {
  std::string a(200, 'a');
  std::string b(150, 'z');
  std::string d = FossilDelta(a, b);
  EXPECT_EQ(d.substr(0, 5), "2M\n2M");  // 150 = 2*64+22
  EXPECT_EQ(d[5], ':');
  ExpectRoundTrip(a, b);
}

TEST(Fossil, Base64Digits) {
  // 64^2 + 1 bytes: length written as "101".
  std::string t(4097, 'q');
  std::string d = FossilDelta("", t);
  EXPECT_EQ(d.substr(0, 4), "101\n");
}

TEST(Fossil, ChecksumMatchesFormula) {
  EXPECT_EQ(FossilChecksum(""), 0u);
  // One byte: it lands in the top byte.
  EXPECT_EQ(FossilChecksum("a"), 0x61000000u);
  // Four bytes: big-endian word.
  EXPECT_EQ(FossilChecksum("abcd"), 0x61626364u);
  // Five bytes: word plus the tail's top byte.
  EXPECT_EQ(FossilChecksum("abcde"), 0x61626364u + 0x65000000u);
}

TEST(Fossil, LargeAndBinaryRoundTrips) {
  std::mt19937 rng(42);
  auto random_text = [&](size_t n, bool binary) {
    std::string s(n, '\0');
    for (auto& c : s)
      c = binary ? static_cast<char>(rng() & 0xFF) : static_cast<char>('a' + rng() % 8);
    return s;
  };
  for (bool binary : {false, true}) {
    std::string a = random_text(200000, binary);
    std::string b = a;
    // Edit: replace, insert and delete at several places.
    for (int k = 0; k < 50; ++k) {
      size_t at = rng() % (b.size() - 100);
      switch (k % 3) {
        case 0:
          b.replace(at, 10, random_text(10, binary));
          break;
        case 1:
          b.insert(at, random_text(37, binary));
          break;
        default:
          b.erase(at, 23);
          break;
      }
    }
    std::string d = FossilDelta(a, b);
    EXPECT_LT(d.size(), b.size() / 20);
    ExpectRoundTrip(a, b);
    ExpectRoundTrip(b, a);
    ExpectRoundTrip(a, random_text(5000, binary));
  }
  // Many random small pairs, including prefixes and suffixes of each other.
  for (int k = 0; k < 500; ++k) {
    std::string a = random_text(rng() % 300, k % 2 == 0);
    std::string b = a.substr(rng() % (a.size() + 1)) + random_text(rng() % 40, false) + a;
    ExpectRoundTrip(a, b);
    ExpectRoundTrip(b, a);
  }
}

}  // namespace
}  // namespace gyre::codec
