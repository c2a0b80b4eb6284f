#include "auth/claims.h"

#include <cmath>

#include "base/json.h"
#include "base/util.h"

namespace gyre::auth {

namespace {

using json::Type;
using json::Value;

bool Fail(std::string& error, std::string_view claim, std::string_view what) {
  error.assign("claim ");
  error.append(claim);
  error.append(" ");
  error.append(what);
  return false;
}

// A NumericDate: any JSON number of seconds; fractions are dropped (toward zero).
bool ReadDate(Value v, std::string_view claim, std::optional<int64_t>& out, std::string& error) {
  if (v.is_null()) {
    out.reset();
    return true;
  }
  int64_t i = 0;
  if (json::GetInt64(v, i)) {
    out = i;
    return true;
  }
  double d = 0;
  if (!json::GetDouble(v, d) || !std::isfinite(d) || d > 9.2e18 || d < -9.2e18) {
    return Fail(error, claim, "is not a number");
  }
  out = static_cast<int64_t>(d);
  return true;
}

bool ReadInt(Value v, std::string_view claim, std::optional<int64_t>& out, std::string& error) {
  if (v.is_null()) {
    out.reset();
    return true;
  }
  int64_t i = 0;
  if (!json::GetInt64(v, i)) return Fail(error, claim, "is not an integer");
  out = i;
  return true;
}

// A string claim; null leaves the value as it was (Go's decoder does the same).
bool ReadString(Value v, std::string_view claim, std::string& out, std::string& error) {
  if (v.is_null()) return true;
  if (!json::GetString(v, out)) return Fail(error, claim, "is not a string");
  return true;
}

// A raw JSON claim (`info`, `data`, `meta`): any JSON value, kept byte for byte; null = absent.
void ReadRaw(Value v, std::string_view& out) {
  out = v.is_null() ? std::string_view() : v.raw;
}

bool ReadStringArray(Value v, std::string_view claim, std::vector<std::string>& out,
                     std::string& error) {
  out.clear();
  if (v.is_null()) return true;
  if (v.type != Type::kArray) return Fail(error, claim, "is not an array of strings");
  json::ArrayReader reader(v);
  Value item;
  while (reader.Next(item)) {
    std::string s;
    if (!json::GetString(item, s)) return Fail(error, claim, "is not an array of strings");
    out.push_back(std::move(s));
  }
  if (!reader.ok()) return Fail(error, claim, "is malformed");
  return true;
}

// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
bool ReadAudience(Value v, std::vector<std::string>& out, std::string& error) {
  if (v.type == Type::kString) {
    out.assign(1, std::string());
    if (!json::GetString(v, out[0])) return Fail(error, "aud", "is malformed");
    return true;
  }
  return ReadStringArray(v, "aud", out, error);
}

// `override`: {"presence": {"value": true}, ...}. An entry that is an object without `value`
// overrides with false, as Centrifugo's decoder does.
bool ReadOverride(Value v, Override& out, std::string& error) {
  if (v.is_null()) return true;
  if (v.type != Type::kObject) return Fail(error, "override", "is not an object");
  json::ObjectReader reader(v);
  std::string_view key;
  Value entry;
  while (reader.Next(key, entry)) {
    std::optional<bool>* slot = nullptr;
    if (key == "presence") {
      slot = &out.presence;
    } else if (key == "join_leave") {
      slot = &out.join_leave;
    } else if (key == "force_push_join_leave") {
      slot = &out.force_push_join_leave;
    } else if (key == "force_recovery") {
      slot = &out.force_recovery;
    } else if (key == "force_positioning") {
      slot = &out.force_positioning;
    } else {
      continue;
    }
    if (entry.is_null()) {
      slot->reset();
      continue;
    }
    if (entry.type != Type::kObject) return Fail(error, "override", "entry is not an object");
    bool value = false;
    json::ObjectReader inner(entry);
    std::string_view inner_key;
    Value inner_value;
    while (inner.Next(inner_key, inner_value)) {
      if (inner_key != "value" || inner_value.is_null()) continue;
      if (!json::GetBool(inner_value, value)) {
        return Fail(error, "override", "value is not a boolean");
      }
    }
    if (!inner.ok()) return Fail(error, "override", "is malformed");
    *slot = value;
  }
  if (!reader.ok()) return Fail(error, "override", "is malformed");
  return true;
}

// Reads the claims shared by a `subs` entry and a subscription token. Returns false on a
// malformed claim; `handled` tells whether `key` was one of them.
bool ReadSubOption(std::string_view key, Value v, bool with_data, RawSubOptions& out, bool& handled,
                   std::string& error) {
  handled = true;
  if (key == "info") {
    ReadRaw(v, out.info);
    return true;
  }
  if (key == "b64info") return ReadString(v, "b64info", out.b64info, error);
  if (with_data) {
    if (key == "data") {
      ReadRaw(v, out.data);
      return true;
    }
    if (key == "b64data") return ReadString(v, "b64data", out.b64data, error);
    if (key == "override") return ReadOverride(v, out.override_, error);
  }
  handled = false;
  return true;
}

bool ReadSubs(Value v, std::vector<std::pair<std::string, RawSubOptions>>& out,
              std::string& error) {
  out.clear();
  if (v.is_null()) return true;
  if (v.type != Type::kObject) return Fail(error, "subs", "is not an object");
  json::ObjectReader reader(v);
  std::string_view channel;
  Value entry;
  while (reader.Next(channel, entry)) {
    RawSubOptions options;
    if (!entry.is_null()) {
      if (entry.type != Type::kObject) return Fail(error, "subs", "entry is not an object");
      json::ObjectReader inner(entry);
      std::string_view key;
      Value value;
      while (inner.Next(key, value)) {
        bool handled = false;
        if (!ReadSubOption(key, value, true, options, handled, error)) {
          error.insert(0, "subs entry: ");
          return false;
        }
      }
      if (!inner.ok()) return Fail(error, "subs", "is malformed");
    }
    out.emplace_back(std::string(channel), std::move(options));
  }
  if (!reader.ok()) return Fail(error, "subs", "is malformed");
  return true;
}

}  // namespace

bool ParseClaims(std::string_view payload, TokenKind kind, ParsedClaims& out, std::string& error) {
  Value root = json::Parse(payload);
  if (root.type != Type::kObject) {
    error = "payload is not a JSON object";
    return false;
  }
  const bool connect = kind == TokenKind::kConnect;
  json::ObjectReader reader(root);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    bool ok = true;
    if (key == "sub") {
      ok = ReadString(v, "sub", out.sub, error);
    } else if (key == "exp") {
      ok = ReadDate(v, "exp", out.exp, error);
    } else if (key == "nbf") {
      ok = ReadDate(v, "nbf", out.nbf, error);
    } else if (key == "iat") {
      ok = ReadDate(v, "iat", out.iat, error);
    } else if (key == "aud") {
      ok = ReadAudience(v, out.aud, error);
    } else if (key == "iss") {
      ok = ReadString(v, "iss", out.iss, error);
    } else if (key == "jti") {
      std::string unused;
      ok = ReadString(v, "jti", unused, error);
    } else if (key == "channel") {
      ok = ReadString(v, "channel", out.channel, error);
    } else if (key == "expire_at") {
      ok = ReadInt(v, "expire_at", out.expire_at, error);
    } else if (connect && key == "channels") {
      ok = ReadStringArray(v, "channels", out.channels, error);
    } else if (connect && key == "subs") {
      ok = ReadSubs(v, out.subs, error);
    } else if (connect && key == "meta") {
      ReadRaw(v, out.meta);
    } else if (!connect && key == "client") {
      ok = ReadString(v, "client", out.client, error);
    } else {
      bool handled = false;
      ok = ReadSubOption(key, v, !connect, out.options, handled, error);
    }
    if (!ok) return false;
  }
  if (!reader.ok()) {
    error = "payload is not a JSON object";
    return false;
  }
  return true;
}

std::string LookupUserId(std::string_view payload, std::string_view path) {
  Value current = json::Parse(payload);
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view name = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (current.type != Type::kObject) return {};
    json::ObjectReader reader(current);
    std::string_view key;
    Value v;
    Value found;
    while (reader.Next(key, v)) {
      if (key == name) found = v;  // the last duplicate wins
    }
    if (!found.valid()) return {};
    current = found;
  }
  switch (current.type) {
    case Type::kString: {
      std::string s;
      json::GetString(current, s);
      return s;
    }
    case Type::kInvalid:
    case Type::kNull:
      return {};
    default:
      return std::string(current.raw);
  }
}

bool DecodeStdBase64(std::string_view in, std::string& out) {
  for (char c : in) {
    if (c == '-' || c == '_') return false;  // URL alphabet is not standard base64
  }
  auto decoded = Base64Decode(in);
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

}  // namespace gyre::auth
