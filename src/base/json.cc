#include "base/json.h"

#include <cctype>
#include <charconv>
#include <cstring>

namespace gyre::json {
namespace {

inline const char* SkipWs(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  return p;
}

const char* ScanString(const char* p, const char* end) {
  // p points at the opening quote.
  ++p;
  while (p < end) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') return p + 1;
    if (c < 0x20) return nullptr;
    if (c == '\\') {
      ++p;
      if (p >= end) return nullptr;
      switch (*p) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          ++p;
          break;
        case 'u':
          if (end - p < 5) return nullptr;
          for (int i = 1; i <= 4; ++i) {
            if (!std::isxdigit(static_cast<unsigned char>(p[i]))) return nullptr;
          }
          p += 5;
          break;
        default:
          return nullptr;
      }
      continue;
    }
    ++p;
  }
  return nullptr;
}

const char* ScanNumber(const char* p, const char* end) {
  if (p < end && *p == '-') ++p;
  if (p >= end) return nullptr;
  if (*p == '0') {
    ++p;
  } else if (*p >= '1' && *p <= '9') {
    while (p < end && *p >= '0' && *p <= '9') ++p;
  } else {
    return nullptr;
  }
  if (p < end && *p == '.') {
    ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return nullptr;
    while (p < end && *p >= '0' && *p <= '9') ++p;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return nullptr;
    while (p < end && *p >= '0' && *p <= '9') ++p;
  }
  return p;
}

bool Literal(const char* p, const char* end, std::string_view lit) {
  return static_cast<size_t>(end - p) >= lit.size() && std::memcmp(p, lit.data(), lit.size()) == 0;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t Hex4(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= c - '0';
    else if (c >= 'a' && c <= 'f')
      v |= c - 'a' + 10;
    else
      v |= c - 'A' + 10;
  }
  return v;
}

}  // namespace

const char* Scan(const char* p, const char* end, Value& out, int depth) {
  out = Value{};
  if (depth > kMaxDepth) return nullptr;
  p = SkipWs(p, end);
  if (p >= end) return nullptr;
  const char* start = p;
  Type type;
  switch (*p) {
    case '"':
      type = Type::kString;
      p = ScanString(p, end);
      break;
    case '{': {
      type = Type::kObject;
      ++p;
      p = SkipWs(p, end);
      if (p < end && *p == '}') {
        ++p;
        break;
      }
      while (true) {
        p = SkipWs(p, end);
        if (p >= end || *p != '"') return nullptr;
        p = ScanString(p, end);
        if (!p) return nullptr;
        p = SkipWs(p, end);
        if (p >= end || *p != ':') return nullptr;
        Value member;
        p = Scan(p + 1, end, member, depth + 1);
        if (!p) return nullptr;
        p = SkipWs(p, end);
        if (p >= end) return nullptr;
        if (*p == ',') {
          ++p;
          continue;
        }
        if (*p == '}') {
          ++p;
          break;
        }
        return nullptr;
      }
      break;
    }
    case '[': {
      type = Type::kArray;
      ++p;
      p = SkipWs(p, end);
      if (p < end && *p == ']') {
        ++p;
        break;
      }
      while (true) {
        Value item;
        p = Scan(p, end, item, depth + 1);
        if (!p) return nullptr;
        p = SkipWs(p, end);
        if (p >= end) return nullptr;
        if (*p == ',') {
          ++p;
          continue;
        }
        if (*p == ']') {
          ++p;
          break;
        }
        return nullptr;
      }
      break;
    }
    case 't':
      type = Type::kBool;
      p = Literal(p, end, "true") ? p + 4 : nullptr;
      break;
    case 'f':
      type = Type::kBool;
      p = Literal(p, end, "false") ? p + 5 : nullptr;
      break;
    case 'n':
      type = Type::kNull;
      p = Literal(p, end, "null") ? p + 4 : nullptr;
      break;
    default:
      type = Type::kNumber;
      p = ScanNumber(p, end);
      break;
  }
  if (!p) return nullptr;
  out.type = type;
  out.raw = std::string_view(start, static_cast<size_t>(p - start));
  return p;
}

Value Parse(std::string_view text) {
  const char* end = text.data() + text.size();
  Value v;
  const char* p = Scan(text.data(), end, v);
  if (!p) return {};
  if (SkipWs(p, end) != end) return {};
  return v;
}

ObjectReader::ObjectReader(Value object)
    : p_(object.raw.data()),
      end_(object.raw.data() + object.raw.size()),
      ok_(object.type == Type::kObject) {
  if (ok_) ++p_;  // past '{'
}

bool ObjectReader::Next(std::string_view& key, Value& value) {
  if (!ok_) return false;
  p_ = SkipWs(p_, end_);
  if (p_ >= end_) return ok_ = false;
  if (*p_ == '}') return false;
  if (!first_) {
    if (*p_ != ',') return ok_ = false;
    p_ = SkipWs(p_ + 1, end_);
  }
  first_ = false;
  if (p_ >= end_ || *p_ != '"') return ok_ = false;
  const char* kstart = p_;
  const char* kend = ScanString(p_, end_);
  if (!kend) return ok_ = false;
  std::string_view quoted(kstart, static_cast<size_t>(kend - kstart));
  if (quoted.find('\\') == std::string_view::npos) {
    key = quoted.substr(1, quoted.size() - 2);
  } else {
    if (!Unescape(quoted, key_buf_)) return ok_ = false;
    key = key_buf_;
  }
  p_ = SkipWs(kend, end_);
  if (p_ >= end_ || *p_ != ':') return ok_ = false;
  p_ = Scan(p_ + 1, end_, value);
  if (!p_) {
    p_ = end_;
    return ok_ = false;
  }
  return true;
}

ArrayReader::ArrayReader(Value array)
    : p_(array.raw.data()),
      end_(array.raw.data() + array.raw.size()),
      ok_(array.type == Type::kArray) {
  if (ok_) ++p_;
}

bool ArrayReader::Next(Value& value) {
  if (!ok_) return false;
  p_ = SkipWs(p_, end_);
  if (p_ >= end_) return ok_ = false;
  if (*p_ == ']') return false;
  if (!first_) {
    if (*p_ != ',') return ok_ = false;
    ++p_;
  }
  first_ = false;
  p_ = Scan(p_, end_, value);
  if (!p_) {
    p_ = end_;
    return ok_ = false;
  }
  return true;
}

bool Unescape(std::string_view quoted, std::string& out) {
  out.clear();
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') return false;
  const char* p = quoted.data() + 1;
  const char* end = quoted.data() + quoted.size() - 1;
  out.reserve(quoted.size() - 2);
  while (p < end) {
    char c = *p++;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (p >= end) return false;
    char e = *p++;
    switch (e) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        if (end - p < 4) return false;
        uint32_t cp = Hex4(p);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
            uint32_t lo = Hex4(p + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              p += 6;
            } else {
              cp = 0xFFFD;
            }
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        AppendUtf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

bool GetString(Value v, std::string& out) {
  if (v.type != Type::kString) return false;
  if (v.raw.find('\\') == std::string_view::npos) {
    out.assign(v.raw.substr(1, v.raw.size() - 2));
    return true;
  }
  return Unescape(v.raw, out);
}

bool GetBool(Value v, bool& out) {
  if (v.type != Type::kBool) return false;
  out = v.raw[0] == 't';
  return true;
}

bool GetInt64(Value v, int64_t& out) {
  if (v.type != Type::kNumber) return false;
  auto [ptr, ec] = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), out);
  if (ec == std::errc() && ptr == v.raw.data() + v.raw.size()) return true;
  // Accept integral values written with a fraction or exponent (e.g. 1.0, 1e3); a plain
  // integer that did not fit is out of range.
  if (v.raw.find_first_of(".eE") == std::string_view::npos) return false;
  double d;
  if (!GetDouble(v, d)) return false;
  // Range first: casting a double outside int64 is undefined.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
  if (d != static_cast<double>(static_cast<int64_t>(d))) return false;
  out = static_cast<int64_t>(d);
  return true;
}

bool GetUint64(Value v, uint64_t& out) {
  if (v.type != Type::kNumber || v.raw[0] == '-') return false;
  auto [ptr, ec] = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), out);
  if (ec == std::errc() && ptr == v.raw.data() + v.raw.size()) return true;
  if (v.raw.find_first_of(".eE") == std::string_view::npos) return false;
  double d;
  if (!GetDouble(v, d) || !(d >= 0 && d < 18446744073709551616.0)) return false;
  if (d != static_cast<double>(static_cast<uint64_t>(d))) return false;
  out = static_cast<uint64_t>(d);
  return true;
}

bool GetDouble(Value v, double& out) {
  if (v.type != Type::kNumber) return false;
  auto [ptr, ec] = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), out);
  return ec == std::errc() && ptr == v.raw.data() + v.raw.size();
}

void AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendRaw(std::string& out, std::string_view raw) {
  if (raw.find('\n') == std::string_view::npos) {
    out.append(raw);
    return;
  }
  for (char c : raw) {
    if (c != '\n') out.push_back(c);
  }
}

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(p - buf));
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(p - buf));
}

}  // namespace gyre::json
