// A small, allocation-free JSON scanner and a writer.
//
// The protocol carries "raw" JSON values (publication data, conn_info, ...) that must reach
// subscribers byte for byte, so parsing keeps spans into the input instead of building a DOM.
// All functions are pure; a span is valid while the input buffer lives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gyre::json {

enum class Type : uint8_t { kInvalid, kNull, kBool, kNumber, kString, kArray, kObject };

// One JSON value as a span of the input. For strings the span includes the quotes.
struct Value {
  Type type = Type::kInvalid;
  std::string_view raw;

  bool valid() const { return type != Type::kInvalid; }
  bool is_null() const { return type == Type::kNull; }
};

inline constexpr int kMaxDepth = 64;

// Parses exactly one value from `text` (surrounding whitespace allowed). Returns an invalid
// Value if the text is not exactly one well-formed JSON value.
Value Parse(std::string_view text);

// Scans one value starting at `p` (leading whitespace skipped). Returns the pointer just past it,
// or nullptr when malformed. `out` receives the value.
const char* Scan(const char* p, const char* end, Value& out, int depth = 0);

// Iterates the members of an object value. Keys are unescaped into an internal buffer when they
// contain escapes (rare), otherwise they point into the input.
class ObjectReader {
 public:
  explicit ObjectReader(Value object);
  // Returns false at the end of the object or on error (see ok()).
  bool Next(std::string_view& key, Value& value);
  bool ok() const { return ok_; }

 private:
  const char* p_;
  const char* end_;
  bool ok_;
  bool first_ = true;
  std::string key_buf_;
};

class ArrayReader {
 public:
  explicit ArrayReader(Value array);
  bool Next(Value& value);
  bool ok() const { return ok_; }

 private:
  const char* p_;
  const char* end_;
  bool ok_;
  bool first_ = true;
};

// Conversions; each returns false when the value has the wrong type or is out of range.
bool GetString(Value v, std::string& out);
bool GetBool(Value v, bool& out);
bool GetInt64(Value v, int64_t& out);
bool GetUint64(Value v, uint64_t& out);
bool GetDouble(Value v, double& out);
// Unescapes a string span including quotes.
bool Unescape(std::string_view quoted, std::string& out);

// Appends `s` as a quoted, escaped JSON string.
void AppendString(std::string& out, std::string_view s);
// Appends a raw JSON value, dropping raw newline bytes (only insignificant whitespace can be a
// newline in valid JSON), so that newline-delimited framing stays intact.
void AppendRaw(std::string& out, std::string_view raw);
void AppendUint(std::string& out, uint64_t v);
void AppendInt(std::string& out, int64_t v);

// Small helper for building objects: Writer w(out); w.Key("a"); ...
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  // Writes `"key":` (with a comma when needed); the caller appends the value.
  std::string& Key(std::string_view key) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(key);
    out_.append("\":");
    return out_;
  }
  void String(std::string_view key, std::string_view v) { AppendString(Key(key), v); }
  void Raw(std::string_view key, std::string_view v) { AppendRaw(Key(key), v); }
  void Uint(std::string_view key, uint64_t v) { AppendUint(Key(key), v); }
  void Int(std::string_view key, int64_t v) { AppendInt(Key(key), v); }
  void Bool(std::string_view key, bool v) { Key(key).append(v ? "true" : "false"); }
  void Close() {
    if (!closed_) out_.push_back('}');
    closed_ = true;
  }
  ~ObjectWriter() { Close(); }

 private:
  std::string& out_;
  bool first_ = true;
  bool closed_ = false;
};

}  // namespace gyre::json
