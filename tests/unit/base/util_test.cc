#include "base/util.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace gyre {
namespace {

// --- Base64 ---------------------------------------------------------------------------------

// RFC 4648 section 10 test vectors.
struct Vector {
  std::string_view plain;
  std::string_view padded;
  std::string_view unpadded;
};
constexpr Vector kRfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "Zg"},
    {"fo", "Zm8=", "Zm8"},
    {"foo", "Zm9v", "Zm9v"},
    {"foob", "Zm9vYg==", "Zm9vYg"},
    {"fooba", "Zm9vYmE=", "Zm9vYmE"},
    {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
};

TEST(Base64, EncodeRfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(Base64Encode(v.plain), v.padded) << v.plain;
    EXPECT_EQ(Base64Encode(v.plain, /*url=*/false, /*pad=*/false), v.unpadded) << v.plain;
    EXPECT_EQ(Base64Encode(v.plain, /*url=*/true, /*pad=*/false), v.unpadded) << v.plain;
  }
}

TEST(Base64, DecodeRfc4648VectorsPaddedOrNot) {
  for (const auto& v : kRfc4648) {
    auto padded = Base64Decode(v.padded);
    ASSERT_TRUE(padded.has_value()) << v.padded;
    EXPECT_EQ(*padded, v.plain);
    auto unpadded = Base64Decode(v.unpadded);
    ASSERT_TRUE(unpadded.has_value()) << v.unpadded;
    EXPECT_EQ(*unpadded, v.plain);
  }
}

TEST(Base64, UrlAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64Encode(bytes, /*url=*/true), "-_-_");
  const std::string two("\xfb\xff", 2);
  EXPECT_EQ(Base64Encode(two), "+/8=");
  EXPECT_EQ(Base64Encode(two, /*url=*/true), "-_8=");
  EXPECT_EQ(Base64Encode(two, /*url=*/true, /*pad=*/false), "-_8");
  // Both alphabets decode.
  EXPECT_EQ(Base64Decode("+/+/"), bytes);
  EXPECT_EQ(Base64Decode("-_-_"), bytes);
  EXPECT_EQ(Base64Decode("-_8"), two);
  EXPECT_EQ(Base64Decode("+/8="), two);
}

TEST(Base64, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t n = 0; n <= all.size(); n += 1) {
    std::string_view in(all.data(), n);
    for (bool url : {false, true}) {
      for (bool pad : {false, true}) {
        std::string enc = Base64Encode(in, url, pad);
        if (pad) {
          EXPECT_EQ(enc.size() % 4, 0u);
        }
        auto dec = Base64Decode(enc);
        ASSERT_TRUE(dec.has_value()) << enc;
        ASSERT_EQ(*dec, in) << "n=" << n << " url=" << url << " pad=" << pad;
      }
    }
  }
}

TEST(Base64, RejectsInvalid) {
  EXPECT_FALSE(Base64Decode("Z").has_value());      // one leftover char carries < 8 bits
  EXPECT_FALSE(Base64Decode("Zm9vY").has_value());  // 4n+1 characters
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());  // not in any alphabet
  EXPECT_FALSE(Base64Decode("Zm 9v").has_value());  // whitespace
  EXPECT_FALSE(Base64Decode("Zm9v\n").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zg==").has_value());  // padding in the middle
  EXPECT_FALSE(Base64Decode("Z===").has_value());
  EXPECT_FALSE(Base64Decode(std::string("Zm\0v", 4)).has_value());
  EXPECT_FALSE(Base64Decode("Zm9v\xC3\xA9").has_value());
}

TEST(Base64, EmptyAndPaddingOnly) {
  EXPECT_EQ(Base64Decode(""), std::string());
  EXPECT_EQ(Base64Encode("", true, false), "");
}

// --- Random identifiers ---------------------------------------------------------------------

bool IsLowerHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

TEST(NewUuid, Version4Format) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string u = NewUuid();
    ASSERT_EQ(u.size(), 36u) << u;
    for (size_t k = 0; k < u.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        EXPECT_EQ(u[k], '-') << u;
      } else {
        EXPECT_TRUE(IsLowerHex(u[k])) << u;
      }
    }
    EXPECT_EQ(u[14], '4') << u;                                                    // version
    EXPECT_NE(std::string_view("89ab").find(u[19]), std::string_view::npos) << u;  // variant
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(RandomLetters, LengthAndAlphabet) {
  EXPECT_EQ(RandomLetters(0), "");
  std::set<std::string> seen;
  std::set<char> chars;
  for (int i = 0; i < 200; ++i) {
    std::string s = RandomLetters(8);
    ASSERT_EQ(s.size(), 8u);
    for (char c : s) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) << s;
      chars.insert(c);
    }
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 200u);
  // 1600 draws from 52 letters: every letter is all but certain to appear.
  EXPECT_GT(chars.size(), 45u);
  EXPECT_EQ(RandomLetters(1000).size(), 1000u);
}

TEST(RandomBytes, FillsTheBuffer) {
  unsigned char a[32] = {};
  unsigned char b[32] = {};
  RandomBytes(a, sizeof a);
  RandomBytes(b, sizeof b);
  EXPECT_NE(std::string_view(reinterpret_cast<char*>(a), sizeof a),
            std::string_view(reinterpret_cast<char*>(b), sizeof b));
  RandomBytes(a, 0);  // a no-op
}

// --- Strings and clocks ---------------------------------------------------------------------

TEST(Strings, EqualsIgnoreCaseAndToLower) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abd"));
  // ASCII only: '[' and '{' differ by 0x20 like letters but are not letters.
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));
  EXPECT_EQ(ToLower("Upgrade, Keep-ALIVE 123"), "upgrade, keep-alive 123");
  EXPECT_EQ(ToLower("\xC3\x89"), "\xC3\x89");
}

TEST(Clocks, SecondsAndMillisAgree) {
  int64_t s = UnixSeconds();
  int64_t ms = UnixMillis();
  EXPECT_GT(s, 1'600'000'000);  // after 2020
  EXPECT_LE(s, ms / 1000);
  EXPECT_LE(ms / 1000 - s, 1);
}

// --- GlobMatch ------------------------------------------------------------------------------

TEST(GlobMatch, Literals) {
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_FALSE(GlobMatch("a", ""));
  EXPECT_TRUE(GlobMatch("http://localhost:3000", "http://localhost:3000"));
  EXPECT_FALSE(GlobMatch("http://localhost:3000", "http://localhost:30001"));
  EXPECT_FALSE(GlobMatch("http://localhost:3000", "http://localhost:300"));
  // Case-sensitive: callers lower-case origins first.
  EXPECT_FALSE(GlobMatch("http://example.com", "http://EXAMPLE.com"));
}

TEST(GlobMatch, Star) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything at all"));
  EXPECT_TRUE(GlobMatch("**", "x"));
  EXPECT_TRUE(GlobMatch("a*", "a"));
  EXPECT_TRUE(GlobMatch("*a", "bba"));
  EXPECT_FALSE(GlobMatch("*a", "ab"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXbYbZc"));
  EXPECT_TRUE(GlobMatch("a*b*c", "abc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(GlobMatch("*ab*ab*", "xabyabz"));
  EXPECT_FALSE(GlobMatch("*ab*ab*", "xabyz"));
}

TEST(GlobMatch, QuestionMark) {
  EXPECT_TRUE(GlobMatch("?", "a"));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_FALSE(GlobMatch("?", "ab"));
  EXPECT_TRUE(GlobMatch("http://localhost:300?", "http://localhost:3001"));
  EXPECT_TRUE(GlobMatch("*?", "a"));
  EXPECT_FALSE(GlobMatch("*??", "a"));
}

TEST(GlobMatch, AllowedOriginSubdomains) {
  constexpr std::string_view kPattern = "https://*.example.com";
  EXPECT_TRUE(GlobMatch(kPattern, "https://app.example.com"));
  // No separators: `*` also spans dots, as gobwas/glob without separators does.
  EXPECT_TRUE(GlobMatch(kPattern, "https://a.b.example.com"));
  EXPECT_FALSE(GlobMatch(kPattern, "https://example.com"));
  EXPECT_FALSE(GlobMatch(kPattern, "http://app.example.com"));
  EXPECT_FALSE(GlobMatch(kPattern, "https://app.example.com.evil.org"));
  EXPECT_FALSE(GlobMatch(kPattern, "https://app.example.com:8443"));
  EXPECT_FALSE(GlobMatch(kPattern, "https://app-example.com"));
  EXPECT_TRUE(GlobMatch("https://*.example.com:*", "https://app.example.com:8443"));
}

TEST(GlobMatch, LongInputStaysFast) {
  // A pathological pattern for naive backtracking completes promptly.
  std::string text(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 20; ++i) pattern += "*a";
  pattern += "*b";
  EXPECT_FALSE(GlobMatch(pattern, text));
  EXPECT_TRUE(GlobMatch(pattern, text + "b"));
}

}  // namespace
}  // namespace gyre
