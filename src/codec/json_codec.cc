// JSON encoding of client protocol v2 (spec §1.2, §1.8).
//
// Decoding follows Go's encoding/json semantics as Centrifugo applies them to protocol.Command:
// unknown keys are ignored, `null` leaves a field at its zero value (and unsets a request), a
// value of the wrong JSON type or an out-of-range integer makes the whole message malformed,
// and `bytes` fields keep the exact text of their JSON value.
//
// Encoding mirrors protocol's generated easyjson writers: keys in proto field order, zero values
// omitted except the fields §1.8 lists, raw values embedded with newline bytes dropped. Maps are
// written in key order (Go's order is random, so any order is equally compatible).

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>

#include "base/json.h"
#include "codec/codec.h"
#include "codec/codec_internal.h"
#include "codec/protocol.h"

namespace gyre::codec {
namespace internal {
namespace {

using json::Type;
using json::Value;

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

// Records the first decoding problem; every reader returns false once one is recorded.
class Errors {
 public:
  bool Fail(std::string_view path, std::string_view what) {
    if (message_.empty()) {
      message_.append(path);
      message_.append(": ");
      message_.append(what);
    }
    return false;
  }
  std::string& message() { return message_; }

 private:
  std::string message_;
};

// Scalars. Each accepts `null` as "leave unchanged" like encoding/json does.

bool ReadString(Value v, std::string& out, std::string_view path, Errors& err) {
  if (v.is_null()) return true;
  if (v.type != Type::kString) return err.Fail(path, "expected string");
  if (!json::GetString(v, out)) return err.Fail(path, "bad string");
  return true;
}

bool ReadBool(Value v, bool& out, std::string_view path, Errors& err) {
  if (v.is_null()) return true;
  if (!json::GetBool(v, out)) return err.Fail(path, "expected bool");
  return true;
}

// Integers must be written as plain integer literals that fit the field's type, as strconv's
// ParseInt/ParseUint require (1.0, 1e3, -1 for unsigned are all rejected).
template <typename T>
bool ReadInt(Value v, T& out, std::string_view path, Errors& err) {
  if (v.is_null()) return true;
  if (v.type != Type::kNumber) return err.Fail(path, "expected integer");
  const char* first = v.raw.data();
  const char* last = first + v.raw.size();
  T value{};
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last) return err.Fail(path, "integer expected or out of range");
  out = value;
  return true;
}

// A `bytes` field: the exact JSON text of the value (including a literal `null`, which
// protocol.Raw also keeps as text).
bool ReadRaw(Value v, std::string& out) {
  out.assign(v.raw);
  return true;
}

bool CheckObject(Value v, std::string_view path, Errors& err) {
  if (v.type != Type::kObject) return err.Fail(path, "expected object");
  return true;
}

bool ReaderDone(const json::ObjectReader& reader, std::string_view path, Errors& err) {
  if (!reader.ok()) return err.Fail(path, "bad object");
  return true;
}

// Each Decode* applies the members of an object onto `r` (so a repeated key merges, as
// encoding/json does when decoding into an existing struct). The caller handles `null`.

bool DecodeSubscribeRequest(Value obj, proto::SubscribeRequest& r, Errors& err) {
  static constexpr std::string_view kPath = "subscribe";
  if (!CheckObject(obj, kPath, err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    bool ok = true;
    if (key == "channel")
      ok = ReadString(v, r.channel, "subscribe.channel", err);
    else if (key == "token")
      ok = ReadString(v, r.token, "subscribe.token", err);
    else if (key == "recover")
      ok = ReadBool(v, r.recover, "subscribe.recover", err);
    else if (key == "epoch")
      ok = ReadString(v, r.epoch, "subscribe.epoch", err);
    else if (key == "offset")
      ok = ReadInt(v, r.offset, "subscribe.offset", err);
    else if (key == "data")
      ok = ReadRaw(v, r.data);
    else if (key == "positioned")
      ok = ReadBool(v, r.positioned, "subscribe.positioned", err);
    else if (key == "recoverable")
      ok = ReadBool(v, r.recoverable, "subscribe.recoverable", err);
    else if (key == "join_leave")
      ok = ReadBool(v, r.join_leave, "subscribe.join_leave", err);
    else if (key == "delta")
      ok = ReadString(v, r.delta, "subscribe.delta", err);
    else if (key == "flag")
      ok = ReadInt(v, r.flag, "subscribe.flag", err);
    else if (key == "type")
      ok = ReadInt(v, r.type, "subscribe.type", err);
    if (!ok) return false;
  }
  return ReaderDone(reader, kPath, err);
}

bool DecodeConnectRequest(Value obj, proto::ConnectRequest& r, Errors& err) {
  static constexpr std::string_view kPath = "connect";
  if (!CheckObject(obj, kPath, err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    bool ok = true;
    if (key == "token") {
      ok = ReadString(v, r.token, "connect.token", err);
    } else if (key == "data") {
      ok = ReadRaw(v, r.data);
    } else if (key == "name") {
      ok = ReadString(v, r.name, "connect.name", err);
    } else if (key == "version") {
      ok = ReadString(v, r.version, "connect.version", err);
    } else if (key == "subs") {
      if (v.is_null()) continue;
      if (!CheckObject(v, "connect.subs", err)) return false;
      json::ObjectReader subs(v);
      std::string_view channel;
      Value sub;
      while (subs.Next(channel, sub)) {
        // A null entry would be a nil pointer in Go; drop it rather than invent a request.
        if (sub.is_null()) {
          r.subs.erase(std::string(channel));
          continue;
        }
        proto::SubscribeRequest decoded;
        if (!DecodeSubscribeRequest(sub, decoded, err)) return false;
        r.subs[std::string(channel)] = std::move(decoded);
      }
      ok = ReaderDone(subs, "connect.subs", err);
    } else if (key == "headers") {
      if (v.is_null()) continue;
      if (!CheckObject(v, "connect.headers", err)) return false;
      json::ObjectReader headers(v);
      std::string_view name;
      Value value;
      while (headers.Next(name, value)) {
        std::string decoded;
        if (!ReadString(value, decoded, "connect.headers", err)) return false;
        r.headers[std::string(name)] = std::move(decoded);
      }
      ok = ReaderDone(headers, "connect.headers", err);
    }
    if (!ok) return false;
  }
  return ReaderDone(reader, kPath, err);
}

// Requests whose only field is `channel`.
template <typename T>
bool DecodeChannelOnly(Value obj, T& r, std::string_view path, Errors& err) {
  if (!CheckObject(obj, path, err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    if (key == "channel" && !ReadString(v, r.channel, path, err)) return false;
  }
  return ReaderDone(reader, path, err);
}

bool DecodePublishRequest(Value obj, proto::PublishRequest& r, Errors& err) {
  if (!CheckObject(obj, "publish", err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    if (key == "channel") {
      if (!ReadString(v, r.channel, "publish.channel", err)) return false;
    } else if (key == "data") {
      ReadRaw(v, r.data);
    }
  }
  return ReaderDone(reader, "publish", err);
}

bool DecodeStreamPosition(Value obj, proto::StreamPosition& r, Errors& err) {
  if (!CheckObject(obj, "history.since", err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    bool ok = true;
    if (key == "offset")
      ok = ReadInt(v, r.offset, "history.since.offset", err);
    else if (key == "epoch")
      ok = ReadString(v, r.epoch, "history.since.epoch", err);
    if (!ok) return false;
  }
  return ReaderDone(reader, "history.since", err);
}

bool DecodeHistoryRequest(Value obj, proto::HistoryRequest& r, Errors& err) {
  if (!CheckObject(obj, "history", err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    bool ok = true;
    if (key == "channel") {
      ok = ReadString(v, r.channel, "history.channel", err);
    } else if (key == "limit") {
      ok = ReadInt(v, r.limit, "history.limit", err);
    } else if (key == "reverse") {
      ok = ReadBool(v, r.reverse, "history.reverse", err);
    } else if (key == "since") {
      if (v.is_null()) {
        r.since.reset();
        continue;
      }
      if (!r.since) r.since.emplace();
      ok = DecodeStreamPosition(v, *r.since, err);
    }
    if (!ok) return false;
  }
  return ReaderDone(reader, "history", err);
}

bool DecodePingRequest(Value obj, proto::PingRequest&, Errors& err) {
  return CheckObject(obj, "ping", err);
}

bool DecodeSendRequest(Value obj, proto::SendRequest& r, Errors& err) {
  if (!CheckObject(obj, "send", err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    if (key == "data") ReadRaw(v, r.data);
  }
  return ReaderDone(reader, "send", err);
}

bool DecodeRpcRequest(Value obj, proto::RpcRequest& r, Errors& err) {
  if (!CheckObject(obj, "rpc", err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    if (key == "data") {
      ReadRaw(v, r.data);
    } else if (key == "method") {
      if (!ReadString(v, r.method, "rpc.method", err)) return false;
    }
  }
  return ReaderDone(reader, "rpc", err);
}

bool DecodeRefreshRequest(Value obj, proto::RefreshRequest& r, Errors& err) {
  if (!CheckObject(obj, "refresh", err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    if (key == "token" && !ReadString(v, r.token, "refresh.token", err)) return false;
  }
  return ReaderDone(reader, "refresh", err);
}

bool DecodeSubRefreshRequest(Value obj, proto::SubRefreshRequest& r, Errors& err) {
  if (!CheckObject(obj, "sub_refresh", err)) return false;
  json::ObjectReader reader(obj);
  std::string_view key;
  Value v;
  while (reader.Next(key, v)) {
    bool ok = true;
    if (key == "channel")
      ok = ReadString(v, r.channel, "sub_refresh.channel", err);
    else if (key == "token")
      ok = ReadString(v, r.token, "sub_refresh.token", err);
    if (!ok) return false;
  }
  return ReaderDone(reader, "sub_refresh", err);
}

// Decodes a request member into its slot: null unsets it, an object merges into it.
template <typename T, typename Fn>
bool DecodeSlot(Value v, std::optional<T>& slot, Errors& err, Fn decode) {
  if (v.is_null()) {
    slot.reset();
    return true;
  }
  if (!slot) slot.emplace();
  return decode(v, *slot, err);
}

bool DecodeCommand(Value v, proto::Command& cmd, Errors& err) {
  // A top-level `null` decodes into an untouched (empty) command in encoding/json.
  if (v.is_null()) return true;
  if (!CheckObject(v, "command", err)) return false;
  RequestSlots slots;
  auto& [connect, subscribe, unsubscribe, publish, presence, presence_stats, history, ping, send,
         rpc, refresh, sub_refresh] = slots;

  json::ObjectReader reader(v);
  std::string_view key;
  Value m;
  while (reader.Next(key, m)) {
    bool ok = true;
    if (key == "id") {
      ok = ReadInt(m, cmd.id, "id", err);
    } else if (key == "connect") {
      ok = DecodeSlot(m, connect, err, DecodeConnectRequest);
    } else if (key == "subscribe") {
      ok = DecodeSlot(m, subscribe, err, DecodeSubscribeRequest);
    } else if (key == "unsubscribe") {
      ok = DecodeSlot(m, unsubscribe, err, [](Value o, auto& r, Errors& e) {
        return DecodeChannelOnly(o, r, "unsubscribe", e);
      });
    } else if (key == "publish") {
      ok = DecodeSlot(m, publish, err, DecodePublishRequest);
    } else if (key == "presence") {
      ok = DecodeSlot(m, presence, err, [](Value o, auto& r, Errors& e) {
        return DecodeChannelOnly(o, r, "presence", e);
      });
    } else if (key == "presence_stats") {
      ok = DecodeSlot(m, presence_stats, err, [](Value o, auto& r, Errors& e) {
        return DecodeChannelOnly(o, r, "presence_stats", e);
      });
    } else if (key == "history") {
      ok = DecodeSlot(m, history, err, DecodeHistoryRequest);
    } else if (key == "ping") {
      ok = DecodeSlot(m, ping, err, DecodePingRequest);
    } else if (key == "send") {
      ok = DecodeSlot(m, send, err, DecodeSendRequest);
    } else if (key == "rpc") {
      ok = DecodeSlot(m, rpc, err, DecodeRpcRequest);
    } else if (key == "refresh") {
      ok = DecodeSlot(m, refresh, err, DecodeRefreshRequest);
    } else if (key == "sub_refresh") {
      ok = DecodeSlot(m, sub_refresh, err, DecodeSubRefreshRequest);
    }
    if (!ok) return false;
  }
  if (!ReaderDone(reader, "command", err)) return false;

  slots.MoveInto(cmd);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

// Field writers on top of json::ObjectWriter, with protocol string escaping.
class Obj {
 public:
  explicit Obj(std::string& out) : w_(out) {}
  std::string& Key(std::string_view key) { return w_.Key(key); }
  void Str(std::string_view key, std::string_view v) { AppendProtocolString(w_.Key(key), v); }
  void StrIf(std::string_view key, std::string_view v) {
    if (!v.empty()) Str(key, v);
  }
  void RawIf(std::string_view key, std::string_view v) {
    if (!v.empty()) w_.Raw(key, v);
  }
  void UintIf(std::string_view key, uint64_t v) {
    if (v != 0) w_.Uint(key, v);
  }
  void IntIf(std::string_view key, int64_t v) {
    if (v != 0) w_.Int(key, v);
  }
  void Uint(std::string_view key, uint64_t v) { w_.Uint(key, v); }
  void TrueIf(std::string_view key, bool v) {
    if (v) w_.Key(key).append("true");
  }

 private:
  json::ObjectWriter w_;
};

void WriteClientInfo(std::string& out, const proto::ClientInfo& info) {
  Obj o(out);
  o.Str("user", info.user);
  o.Str("client", info.client);
  o.RawIf("conn_info", info.conn_info);
  o.RawIf("chan_info", info.chan_info);
}

// A JSON object from a map with string keys; `write_value` appends one value.
template <class Map, class WriteValue>
void WriteMap(std::string& out, const Map& m, WriteValue write_value) {
  out.push_back('{');
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out.push_back(',');
    first = false;
    AppendProtocolString(out, k);
    out.push_back(':');
    write_value(out, v);
  }
  out.push_back('}');
}

void WriteStringMap(std::string& out, const std::map<std::string, std::string>& m) {
  WriteMap(out, m, [](std::string& o, const std::string& v) { AppendProtocolString(o, v); });
}

// `time` is not written: Centrifugo never sets it on publications sent to clients.
void WritePublication(std::string& out, const proto::Publication& pub) {
  Obj o(out);
  o.RawIf("data", pub.data);
  if (pub.info) WriteClientInfo(o.Key("info"), *pub.info);
  o.UintIf("offset", pub.offset);
  if (!pub.tags.empty()) WriteStringMap(o.Key("tags"), pub.tags);
  o.TrueIf("delta", pub.delta);
  o.StrIf("epoch", pub.epoch);
}

void WritePublications(std::string& out, const std::vector<proto::Publication>& pubs) {
  out.push_back('[');
  for (size_t i = 0; i < pubs.size(); ++i) {
    if (i > 0) out.push_back(',');
    WritePublication(out, pubs[i]);
  }
  out.push_back(']');
}

void WriteSubscribeResult(std::string& out, const proto::SubscribeResult& r) {
  Obj o(out);
  o.TrueIf("expires", r.expires);
  o.UintIf("ttl", r.ttl);
  o.TrueIf("recoverable", r.recoverable);
  o.StrIf("epoch", r.epoch);
  if (!r.publications.empty()) WritePublications(o.Key("publications"), r.publications);
  o.TrueIf("recovered", r.recovered);
  o.UintIf("offset", r.offset);
  o.TrueIf("positioned", r.positioned);
  o.RawIf("data", r.data);
  o.TrueIf("was_recovering", r.was_recovering);
  o.TrueIf("delta", r.delta);
}

void WriteSubs(std::string& out, const std::map<std::string, proto::SubscribeResult>& subs) {
  WriteMap(out, subs, WriteSubscribeResult);
}

// ConnectResult (reply) and Connect (push) carry the same fields in different orders.
void WriteConnectResult(std::string& out, const proto::ConnectResult& r) {
  Obj o(out);
  o.StrIf("client", r.client);
  o.StrIf("version", r.version);
  o.TrueIf("expires", r.expires);
  o.UintIf("ttl", r.ttl);
  o.RawIf("data", r.data);
  if (!r.subs.empty()) WriteSubs(o.Key("subs"), r.subs);
  o.UintIf("ping", r.ping);
  o.TrueIf("pong", r.pong);
  o.StrIf("session", r.session);
  o.StrIf("node", r.node);
  o.IntIf("time", r.time);
}

void WriteConnectPush(std::string& out, const proto::ConnectResult& r) {
  Obj o(out);
  o.StrIf("client", r.client);
  o.StrIf("version", r.version);
  o.RawIf("data", r.data);
  if (!r.subs.empty()) WriteSubs(o.Key("subs"), r.subs);
  o.TrueIf("expires", r.expires);
  o.UintIf("ttl", r.ttl);
  o.UintIf("ping", r.ping);
  o.TrueIf("pong", r.pong);
  o.StrIf("session", r.session);
  o.StrIf("node", r.node);
  o.IntIf("time", r.time);
}

void WriteError(std::string& out, const proto::ReplyError& e) {
  Obj o(out);
  o.UintIf("code", e.code);
  o.StrIf("message", e.message);
  o.TrueIf("temporary", e.temporary);
}

void WriteResult(Obj& reply, const proto::Result& result) {
  std::visit(
      [&reply](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          // No result.
        } else if constexpr (std::is_same_v<T, proto::ConnectResult>) {
          WriteConnectResult(reply.Key("connect"), r);
        } else if constexpr (std::is_same_v<T, proto::SubscribeResult>) {
          WriteSubscribeResult(reply.Key("subscribe"), r);
        } else if constexpr (std::is_same_v<T, proto::UnsubscribeResult>) {
          reply.Key("unsubscribe").append("{}");
        } else if constexpr (std::is_same_v<T, proto::PublishResult>) {
          reply.Key("publish").append("{}");
        } else if constexpr (std::is_same_v<T, proto::PresenceResult>) {
          std::string& out = reply.Key("presence");
          Obj o(out);
          WriteMap(o.Key("presence"), r.presence, WriteClientInfo);
        } else if constexpr (std::is_same_v<T, proto::PresenceStatsResult>) {
          Obj o(reply.Key("presence_stats"));
          o.Uint("num_clients", r.num_clients);
          o.Uint("num_users", r.num_users);
        } else if constexpr (std::is_same_v<T, proto::HistoryResult>) {
          Obj o(reply.Key("history"));
          WritePublications(o.Key("publications"), r.publications);
          o.Str("epoch", r.epoch);
          o.Uint("offset", r.offset);
        } else if constexpr (std::is_same_v<T, proto::RpcResult>) {
          Obj o(reply.Key("rpc"));
          o.RawIf("data", r.data);
        } else if constexpr (std::is_same_v<T, proto::RefreshResult>) {
          Obj o(reply.Key("refresh"));
          o.StrIf("client", r.client);
          o.StrIf("version", r.version);
          o.TrueIf("expires", r.expires);
          o.UintIf("ttl", r.ttl);
        } else if constexpr (std::is_same_v<T, proto::SubRefreshResult>) {
          Obj o(reply.Key("sub_refresh"));
          o.TrueIf("expires", r.expires);
          o.UintIf("ttl", r.ttl);
        } else {
          static_assert(sizeof(T) == 0, "unhandled result type");
        }
      },
      result);
}

void WritePushBody(Obj& push, const proto::PushBody& body) {
  std::visit(
      [&push](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, proto::Publication>) {
          WritePublication(push.Key("pub"), b);
        } else if constexpr (std::is_same_v<T, proto::Join>) {
          Obj o(push.Key("join"));
          WriteClientInfo(o.Key("info"), b.info);
        } else if constexpr (std::is_same_v<T, proto::Leave>) {
          Obj o(push.Key("leave"));
          WriteClientInfo(o.Key("info"), b.info);
        } else if constexpr (std::is_same_v<T, proto::Unsubscribe>) {
          Obj o(push.Key("unsubscribe"));
          o.UintIf("code", b.code);
          o.StrIf("reason", b.reason);
        } else if constexpr (std::is_same_v<T, proto::Message>) {
          Obj o(push.Key("message"));
          o.RawIf("data", b.data);
        } else if constexpr (std::is_same_v<T, proto::Subscribe>) {
          Obj o(push.Key("subscribe"));
          o.TrueIf("recoverable", b.recoverable);
          o.StrIf("epoch", b.epoch);
          o.UintIf("offset", b.offset);
          o.TrueIf("positioned", b.positioned);
          o.RawIf("data", b.data);
        } else if constexpr (std::is_same_v<T, proto::ConnectResult>) {
          WriteConnectPush(push.Key("connect"), b);
        } else if constexpr (std::is_same_v<T, proto::DisconnectPush>) {
          Obj o(push.Key("disconnect"));
          o.UintIf("code", b.code);
          o.StrIf("reason", b.reason);
        } else if constexpr (std::is_same_v<T, proto::RefreshPush>) {
          Obj o(push.Key("refresh"));
          o.TrueIf("expires", b.expires);
          o.UintIf("ttl", b.ttl);
        } else {
          static_assert(sizeof(T) == 0, "unhandled push type");
        }
      },
      body);
}

// Hex digit for \u escapes.
constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 when the bytes there are not
// valid UTF-8 by Go's utf8.DecodeRuneInString rules (no overlongs, surrogates or > U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

void AppendProtocolString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t start = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
        ++i;
        continue;
      }
      out.append(s.data() + start, i - start);
      out.push_back('\\');
      switch (c) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '\n':
          out.push_back('n');
          break;
        case '\r':
          out.push_back('r');
          break;
        case '\t':
          out.push_back('t');
          break;
        default:
          out.append("u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
      }
      start = ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out.append(s.data() + start, i - start);
      out.append("\\ufffd");
      start = ++i;
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8 / E2 80 A9) are escaped for JavaScript's sake.
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
      out.append(s.data() + start, i - start);
      out.append("\\u202");
      out.push_back(kHex[static_cast<unsigned char>(s[i + 2]) & 0xF]);
      i += n;
      start = i;
      continue;
    }
    i += n;
  }
  out.append(s.data() + start, s.size() - start);
  out.push_back('"');
}

DecodeResult DecodeJsonCommands(std::string_view frame, std::vector<proto::Command>& out) {
  if (frame.empty()) return {DecodeStatus::kMalformed, "empty frame"};
  // Messages are separated by exactly one '\n'; one trailing '\n' is allowed.
  if (frame.back() == '\n') frame.remove_suffix(1);
  size_t index = 0;
  while (true) {
    size_t nl = frame.find('\n');
    std::string_view line = frame.substr(0, nl);
    Value v = json::Parse(line);
    if (!v.valid()) {
      return {DecodeStatus::kMalformed, "message " + std::to_string(index) + ": invalid JSON"};
    }
    Errors err;
    proto::Command cmd;
    if (!DecodeCommand(v, cmd, err)) {
      return {DecodeStatus::kMalformed,
              "message " + std::to_string(index) + ": " + std::move(err.message())};
    }
    out.push_back(std::move(cmd));
    if (nl == std::string_view::npos) break;
    frame.remove_prefix(nl + 1);
    ++index;
  }
  return {};
}

void EncodeJsonReply(const proto::Reply& reply, std::string& out) {
  Obj o(out);
  o.UintIf("id", reply.id);
  if (reply.error) WriteError(o.Key("error"), *reply.error);
  WriteResult(o, reply.result);
}

void EncodeJsonBarePush(const proto::Push& push, std::string& out) {
  Obj o(out);
  o.StrIf("channel", push.channel);
  WritePushBody(o, push.body);
}

void EncodeJsonPush(const proto::Push& push, std::string& out) {
  Obj o(out);
  EncodeJsonBarePush(push, o.Key("push"));
}

}  // namespace internal

bool IsValidJsonPayload(std::string_view data) {
  // Empty payloads are omitted from encoded messages, so they never break a JSON message.
  return data.empty() || json::Parse(data).valid();
}

void AppendClientInfoJson(const proto::ClientInfo& info, std::string& out) {
  internal::WriteClientInfo(out, info);
}

void AppendPublicationJson(const proto::Publication& pub, std::string& out) {
  internal::WritePublication(out, pub);
}

}  // namespace gyre::codec

namespace gyre::codec {

void AppendJsonString(std::string_view s, std::string& out) {
  internal::AppendProtocolString(out, s);
}

}  // namespace gyre::codec
