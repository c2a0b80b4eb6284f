// Fuzzes the JSON scanner: Parse, Scan, the object/array readers and the conversions, checking
// that spans stay inside the input and that what the writer produces parses again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/json.h"
#include "fuzz_check.h"

namespace {

using gyre::json::Type;
using gyre::json::Value;

bool Within(std::string_view inner, std::string_view outer) {
  return inner.data() >= outer.data() && inner.data() + inner.size() <= outer.data() + outer.size();
}

// Walks a scanned value, budgeted so that deeply nested input stays linear.
void Walk(Value v, std::string_view input, int& budget) {
  if (--budget < 0) return;
  FUZZ_CHECK(v.valid());
  FUZZ_CHECK(Within(v.raw, input));
  switch (v.type) {
    case Type::kString: {
      std::string s;
      FUZZ_CHECK(gyre::json::GetString(v, s));
      // Re-escaping an unescaped string gives a string that unescapes to the same bytes.
      std::string quoted;
      gyre::json::AppendString(quoted, s);
      Value again = gyre::json::Parse(quoted);
      FUZZ_CHECK(again.type == Type::kString);
      std::string s2;
      FUZZ_CHECK(gyre::json::Unescape(again.raw, s2));
      FUZZ_CHECK(s2 == s);
      break;
    }
    case Type::kNumber: {
      int64_t i;
      uint64_t u;
      double d;
      (void)gyre::json::GetInt64(v, i);
      (void)gyre::json::GetUint64(v, u);
      (void)gyre::json::GetDouble(v, d);
      break;
    }
    case Type::kBool: {
      bool b;
      FUZZ_CHECK(gyre::json::GetBool(v, b));
      break;
    }
    case Type::kObject: {
      gyre::json::ObjectReader reader(v);
      std::string_view key;
      Value member;
      while (reader.Next(key, member)) Walk(member, input, budget);
      FUZZ_CHECK(reader.ok());  // a value that scanned whole has well-formed members
      break;
    }
    case Type::kArray: {
      gyre::json::ArrayReader reader(v);
      Value item;
      while (reader.Next(item)) Walk(item, input, budget);
      FUZZ_CHECK(reader.ok());
      break;
    }
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const char* begin = input.data();
  const char* end = begin + input.size();

  Value scanned;
  const char* next = gyre::json::Scan(begin, end, scanned);
  if (next != nullptr) {
    FUZZ_CHECK(next > begin && next <= end);
    FUZZ_CHECK(scanned.valid());
    FUZZ_CHECK(Within(scanned.raw, input));
    // The span of a scanned value is itself exactly one value of the same type.
    FUZZ_CHECK(gyre::json::Parse(scanned.raw).type == scanned.type);
  }

  Value parsed = gyre::json::Parse(input);
  if (!parsed.valid()) return 0;
  FUZZ_CHECK(next != nullptr && parsed.type == scanned.type);
  int budget = 10000;
  Walk(parsed, input, budget);
  // AppendRaw drops raw newlines (insignificant whitespace only) and keeps the value valid.
  std::string raw;
  gyre::json::AppendRaw(raw, parsed.raw);
  FUZZ_CHECK(raw.find('\n') == std::string::npos);
  FUZZ_CHECK(gyre::json::Parse(raw).type == parsed.type);
  return 0;
}
