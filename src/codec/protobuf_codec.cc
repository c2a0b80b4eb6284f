// Protobuf encoding of client protocol v2, written directly against the wire format (spec §1.2,
// field numbers in §1.3–§1.7 and client.proto).
//
// Decoding follows the generated Go decoders Centrifugo uses: unknown fields of any wire type
// are skipped, a known field with the wrong wire type or any truncation is an error, a repeated
// singular scalar keeps its last value and a repeated message field merges. Encoding writes
// fields in ascending number order with proto3 zero-value omission; a message-typed field that
// is present is written even when empty (e.g. `publish` result). Maps are written in key order.

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "codec/codec.h"
#include "codec/codec_internal.h"
#include "codec/pb_wire.h"
#include "codec/protocol.h"

namespace gyre::codec::internal {
namespace {

using pb::WireType;

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

bool ReadBytes(pb::Reader& rd, WireType t, std::string& out) {
  std::string_view v;
  if (t != pb::kLen || !rd.ReadLen(v)) return false;
  out.assign(v);
  return true;
}

bool ReadU64(pb::Reader& rd, WireType t, uint64_t& out) {
  return t == pb::kVarint && rd.ReadVarint(out);
}

// Narrower integers keep the low bits, as Go's generated decoders do.
template <typename T>
bool ReadNarrow(pb::Reader& rd, WireType t, T& out) {
  uint64_t v;
  if (!ReadU64(rd, t, v)) return false;
  out = static_cast<T>(v);
  return true;
}

bool ReadBool(pb::Reader& rd, WireType t, bool& out) {
  uint64_t v;
  if (!ReadU64(rd, t, v)) return false;
  out = v != 0;
  return true;
}

bool ReadSub(pb::Reader& rd, WireType t, std::string_view& out) {
  return t == pb::kLen && rd.ReadLen(out);
}

// Calls `field_fn(field, type, reader)` for each field of `data`; it returns false on error.
template <typename Fn>
bool ForEachField(std::string_view data, Fn field_fn) {
  pb::Reader rd(data);
  while (!rd.done()) {
    uint32_t field;
    WireType type;
    if (!rd.ReadTag(field, type)) return false;
    if (!field_fn(field, type, rd)) return false;
  }
  return true;
}

bool DecodeSubscribeRequest(std::string_view data, proto::SubscribeRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadBytes(rd, t, r.channel);
      case 2:
        return ReadBytes(rd, t, r.token);
      case 3:
        return ReadBool(rd, t, r.recover);
      case 6:
        return ReadBytes(rd, t, r.epoch);
      case 7:
        return ReadU64(rd, t, r.offset);
      case 8:
        return ReadBytes(rd, t, r.data);
      case 9:
        return ReadBool(rd, t, r.positioned);
      case 10:
        return ReadBool(rd, t, r.recoverable);
      case 11:
        return ReadBool(rd, t, r.join_leave);
      case 12:
        return ReadBytes(rd, t, r.delta);
      case 14:
        return ReadNarrow(rd, t, r.flag);
      case 15:
        return ReadNarrow(rd, t, r.type);
      default:
        return rd.SkipField(f, t);
    }
  });
}

// A map entry: key is field 1, value field 2; both optional.
bool DecodeMapEntry(std::string_view entry, std::string& key, std::string_view& value) {
  return ForEachField(entry, [&](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadBytes(rd, t, key);
      case 2:
        return ReadSub(rd, t, value);
      default:
        return rd.SkipField(f, t);
    }
  });
}

bool DecodeConnectRequest(std::string_view data, proto::ConnectRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadBytes(rd, t, r.token);
      case 2:
        return ReadBytes(rd, t, r.data);
      case 3: {
        std::string_view entry, value;
        std::string key;
        if (!ReadSub(rd, t, entry) || !DecodeMapEntry(entry, key, value)) return false;
        proto::SubscribeRequest sub;
        if (!DecodeSubscribeRequest(value, sub)) return false;
        r.subs[std::move(key)] = std::move(sub);
        return true;
      }
      case 4:
        return ReadBytes(rd, t, r.name);
      case 5:
        return ReadBytes(rd, t, r.version);
      case 6: {
        std::string_view entry, value;
        std::string key;
        if (!ReadSub(rd, t, entry) || !DecodeMapEntry(entry, key, value)) return false;
        r.headers[std::move(key)].assign(value);
        return true;
      }
      default:
        return rd.SkipField(f, t);
    }
  });
}

template <typename T>
bool DecodeChannelOnly(std::string_view data, T& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    if (f == 1) return ReadBytes(rd, t, r.channel);
    return rd.SkipField(f, t);
  });
}

bool DecodePublishRequest(std::string_view data, proto::PublishRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadBytes(rd, t, r.channel);
      case 2:
        return ReadBytes(rd, t, r.data);
      default:
        return rd.SkipField(f, t);
    }
  });
}

bool DecodeStreamPosition(std::string_view data, proto::StreamPosition& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadU64(rd, t, r.offset);
      case 2:
        return ReadBytes(rd, t, r.epoch);
      default:
        return rd.SkipField(f, t);
    }
  });
}

bool DecodeHistoryRequest(std::string_view data, proto::HistoryRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadBytes(rd, t, r.channel);
      case 7:
        return ReadNarrow(rd, t, r.limit);
      case 8: {
        std::string_view sub;
        if (!ReadSub(rd, t, sub)) return false;
        if (!r.since) r.since.emplace();
        return DecodeStreamPosition(sub, *r.since);
      }
      case 9:
        return ReadBool(rd, t, r.reverse);
      default:
        return rd.SkipField(f, t);
    }
  });
}

bool DecodePingRequest(std::string_view data, proto::PingRequest&) {
  return ForEachField(data,
                      [](uint32_t f, WireType t, pb::Reader& rd) { return rd.SkipField(f, t); });
}

bool DecodeSendRequest(std::string_view data, proto::SendRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    if (f == 1) return ReadBytes(rd, t, r.data);
    return rd.SkipField(f, t);
  });
}

bool DecodeRpcRequest(std::string_view data, proto::RpcRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadBytes(rd, t, r.data);
      case 2:
        return ReadBytes(rd, t, r.method);
      default:
        return rd.SkipField(f, t);
    }
  });
}

bool DecodeRefreshRequest(std::string_view data, proto::RefreshRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    if (f == 1) return ReadBytes(rd, t, r.token);
    return rd.SkipField(f, t);
  });
}

bool DecodeSubRefreshRequest(std::string_view data, proto::SubRefreshRequest& r) {
  return ForEachField(data, [&r](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadBytes(rd, t, r.channel);
      case 2:
        return ReadBytes(rd, t, r.token);
      default:
        return rd.SkipField(f, t);
    }
  });
}

// A request field merges into its slot when repeated.
template <typename T, typename Fn>
bool DecodeSlot(pb::Reader& rd, WireType t, std::optional<T>& slot, Fn decode) {
  std::string_view sub;
  if (!ReadSub(rd, t, sub)) return false;
  if (!slot) slot.emplace();
  return decode(sub, *slot);
}

bool DecodeCommand(std::string_view data, proto::Command& cmd) {
  RequestSlots slots;
  auto& [connect, subscribe, unsubscribe, publish, presence, presence_stats, history, ping, send,
         rpc, refresh, sub_refresh] = slots;

  bool ok = ForEachField(data, [&](uint32_t f, WireType t, pb::Reader& rd) {
    switch (f) {
      case 1:
        return ReadNarrow(rd, t, cmd.id);
      case 4:
        return DecodeSlot(rd, t, connect, DecodeConnectRequest);
      case 5:
        return DecodeSlot(rd, t, subscribe, DecodeSubscribeRequest);
      case 6:
        return DecodeSlot(rd, t, unsubscribe, DecodeChannelOnly<proto::UnsubscribeRequest>);
      case 7:
        return DecodeSlot(rd, t, publish, DecodePublishRequest);
      case 8:
        return DecodeSlot(rd, t, presence, DecodeChannelOnly<proto::PresenceRequest>);
      case 9:
        return DecodeSlot(rd, t, presence_stats, DecodeChannelOnly<proto::PresenceStatsRequest>);
      case 10:
        return DecodeSlot(rd, t, history, DecodeHistoryRequest);
      case 11:
        return DecodeSlot(rd, t, ping, DecodePingRequest);
      case 12:
        return DecodeSlot(rd, t, send, DecodeSendRequest);
      case 13:
        return DecodeSlot(rd, t, rpc, DecodeRpcRequest);
      case 14:
        return DecodeSlot(rd, t, refresh, DecodeRefreshRequest);
      case 15:
        return DecodeSlot(rd, t, sub_refresh, DecodeSubRefreshRequest);
      default:
        return rd.SkipField(f, t);
    }
  });
  if (!ok) return false;

  slots.MoveInto(cmd);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

// Appends a length-delimited message field whose body `body(out)` writes.
template <typename Fn>
void AppendMessage(std::string& out, uint32_t field, Fn body) {
  pb::AppendLenTag(out, field);
  pb::LengthPrefix prefix(out);
  body(out);
}

void WriteClientInfo(std::string& out, const proto::ClientInfo& info) {
  pb::AppendBytesField(out, 1, info.user);
  pb::AppendBytesField(out, 2, info.client);
  pb::AppendBytesField(out, 3, info.conn_info);
  pb::AppendBytesField(out, 4, info.chan_info);
}

// `time` (field 9) is not written: Centrifugo never sets it on publications sent to clients.
void WritePublication(std::string& out, const proto::Publication& pub) {
  pb::AppendBytesField(out, 4, pub.data);
  if (pub.info) AppendMessage(out, 5, [&](std::string& o) { WriteClientInfo(o, *pub.info); });
  pb::AppendUintField(out, 6, pub.offset);
  for (const auto& [k, v] : pub.tags) {
    AppendMessage(out, 7, [&](std::string& o) {
      pb::AppendBytesAlways(o, 1, k);
      pb::AppendBytesAlways(o, 2, v);
    });
  }
  pb::AppendBoolField(out, 8, pub.delta);
  pb::AppendBytesField(out, 14, pub.epoch);
}

void WriteSubscribeResult(std::string& out, const proto::SubscribeResult& r) {
  pb::AppendBoolField(out, 1, r.expires);
  pb::AppendUintField(out, 2, r.ttl);
  pb::AppendBoolField(out, 3, r.recoverable);
  pb::AppendBytesField(out, 6, r.epoch);
  for (const auto& pub : r.publications) {
    AppendMessage(out, 7, [&](std::string& o) { WritePublication(o, pub); });
  }
  pb::AppendBoolField(out, 8, r.recovered);
  pb::AppendUintField(out, 9, r.offset);
  pb::AppendBoolField(out, 10, r.positioned);
  pb::AppendBytesField(out, 11, r.data);
  pb::AppendBoolField(out, 12, r.was_recovering);
  pb::AppendBoolField(out, 13, r.delta);
}

void WriteSubs(std::string& out, uint32_t field,
               const std::map<std::string, proto::SubscribeResult>& subs) {
  for (const auto& [channel, sub] : subs) {
    AppendMessage(out, field, [&](std::string& o) {
      pb::AppendBytesAlways(o, 1, channel);
      AppendMessage(o, 2, [&](std::string& v) { WriteSubscribeResult(v, sub); });
    });
  }
}

void WriteConnectResult(std::string& out, const proto::ConnectResult& r) {
  pb::AppendBytesField(out, 1, r.client);
  pb::AppendBytesField(out, 2, r.version);
  pb::AppendBoolField(out, 3, r.expires);
  pb::AppendUintField(out, 4, r.ttl);
  pb::AppendBytesField(out, 5, r.data);
  WriteSubs(out, 6, r.subs);
  pb::AppendUintField(out, 7, r.ping);
  pb::AppendBoolField(out, 8, r.pong);
  pb::AppendBytesField(out, 9, r.session);
  pb::AppendBytesField(out, 10, r.node);
  pb::AppendIntField(out, 11, r.time);
}

// The Connect push message numbers its fields differently from ConnectResult.
void WriteConnectPush(std::string& out, const proto::ConnectResult& r) {
  pb::AppendBytesField(out, 1, r.client);
  pb::AppendBytesField(out, 2, r.version);
  pb::AppendBytesField(out, 3, r.data);
  WriteSubs(out, 4, r.subs);
  pb::AppendBoolField(out, 5, r.expires);
  pb::AppendUintField(out, 6, r.ttl);
  pb::AppendUintField(out, 7, r.ping);
  pb::AppendBoolField(out, 8, r.pong);
  pb::AppendBytesField(out, 9, r.session);
  pb::AppendBytesField(out, 10, r.node);
  pb::AppendIntField(out, 11, r.time);
}

void WriteResult(std::string& out, const proto::Result& result) {
  std::visit(
      [&out](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          // No result.
        } else if constexpr (std::is_same_v<T, proto::ConnectResult>) {
          AppendMessage(out, 5, [&](std::string& o) { WriteConnectResult(o, r); });
        } else if constexpr (std::is_same_v<T, proto::SubscribeResult>) {
          AppendMessage(out, 6, [&](std::string& o) { WriteSubscribeResult(o, r); });
        } else if constexpr (std::is_same_v<T, proto::UnsubscribeResult>) {
          AppendMessage(out, 7, [](std::string&) {});
        } else if constexpr (std::is_same_v<T, proto::PublishResult>) {
          AppendMessage(out, 8, [](std::string&) {});
        } else if constexpr (std::is_same_v<T, proto::PresenceResult>) {
          AppendMessage(out, 9, [&](std::string& o) {
            for (const auto& [client, info] : r.presence) {
              AppendMessage(o, 1, [&](std::string& e) {
                pb::AppendBytesAlways(e, 1, client);
                AppendMessage(e, 2, [&](std::string& v) { WriteClientInfo(v, info); });
              });
            }
          });
        } else if constexpr (std::is_same_v<T, proto::PresenceStatsResult>) {
          AppendMessage(out, 10, [&](std::string& o) {
            pb::AppendUintField(o, 1, r.num_clients);
            pb::AppendUintField(o, 2, r.num_users);
          });
        } else if constexpr (std::is_same_v<T, proto::HistoryResult>) {
          AppendMessage(out, 11, [&](std::string& o) {
            for (const auto& pub : r.publications) {
              AppendMessage(o, 1, [&](std::string& p) { WritePublication(p, pub); });
            }
            pb::AppendBytesField(o, 2, r.epoch);
            pb::AppendUintField(o, 3, r.offset);
          });
        } else if constexpr (std::is_same_v<T, proto::RpcResult>) {
          AppendMessage(out, 13, [&](std::string& o) { pb::AppendBytesField(o, 1, r.data); });
        } else if constexpr (std::is_same_v<T, proto::RefreshResult>) {
          AppendMessage(out, 14, [&](std::string& o) {
            pb::AppendBytesField(o, 1, r.client);
            pb::AppendBytesField(o, 2, r.version);
            pb::AppendBoolField(o, 3, r.expires);
            pb::AppendUintField(o, 4, r.ttl);
          });
        } else if constexpr (std::is_same_v<T, proto::SubRefreshResult>) {
          AppendMessage(out, 15, [&](std::string& o) {
            pb::AppendBoolField(o, 1, r.expires);
            pb::AppendUintField(o, 2, r.ttl);
          });
        } else {
          static_assert(sizeof(T) == 0, "unhandled result type");
        }
      },
      result);
}

void WritePush(std::string& out, const proto::Push& push) {
  pb::AppendBytesField(out, 2, push.channel);
  std::visit(
      [&out](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, proto::Publication>) {
          AppendMessage(out, 4, [&](std::string& o) { WritePublication(o, b); });
        } else if constexpr (std::is_same_v<T, proto::Join>) {
          AppendMessage(out, 5, [&](std::string& o) {
            AppendMessage(o, 1, [&](std::string& i) { WriteClientInfo(i, b.info); });
          });
        } else if constexpr (std::is_same_v<T, proto::Leave>) {
          AppendMessage(out, 6, [&](std::string& o) {
            AppendMessage(o, 1, [&](std::string& i) { WriteClientInfo(i, b.info); });
          });
        } else if constexpr (std::is_same_v<T, proto::Unsubscribe>) {
          AppendMessage(out, 7, [&](std::string& o) {
            pb::AppendUintField(o, 2, b.code);
            pb::AppendBytesField(o, 3, b.reason);
          });
        } else if constexpr (std::is_same_v<T, proto::Message>) {
          AppendMessage(out, 8, [&](std::string& o) { pb::AppendBytesField(o, 1, b.data); });
        } else if constexpr (std::is_same_v<T, proto::Subscribe>) {
          AppendMessage(out, 9, [&](std::string& o) {
            pb::AppendBoolField(o, 1, b.recoverable);
            pb::AppendBytesField(o, 4, b.epoch);
            pb::AppendUintField(o, 5, b.offset);
            pb::AppendBoolField(o, 6, b.positioned);
            pb::AppendBytesField(o, 7, b.data);
          });
        } else if constexpr (std::is_same_v<T, proto::ConnectResult>) {
          AppendMessage(out, 10, [&](std::string& o) { WriteConnectPush(o, b); });
        } else if constexpr (std::is_same_v<T, proto::DisconnectPush>) {
          AppendMessage(out, 11, [&](std::string& o) {
            pb::AppendUintField(o, 1, b.code);
            pb::AppendBytesField(o, 2, b.reason);
          });
        } else if constexpr (std::is_same_v<T, proto::RefreshPush>) {
          AppendMessage(out, 12, [&](std::string& o) {
            pb::AppendBoolField(o, 1, b.expires);
            pb::AppendUintField(o, 2, b.ttl);
          });
        } else {
          static_assert(sizeof(T) == 0, "unhandled push type");
        }
      },
      push.body);
}

}  // namespace

DecodeResult DecodeProtobufCommands(std::string_view frame, std::vector<proto::Command>& out) {
  if (frame.empty()) return {DecodeStatus::kMalformed, "empty frame"};
  pb::Reader rd(frame);
  size_t index = 0;
  while (!rd.done()) {
    std::string_view message;
    if (!rd.ReadLen(message)) {
      return {DecodeStatus::kMalformed,
              "message " + std::to_string(index) + ": bad or truncated length prefix"};
    }
    proto::Command cmd;
    if (!DecodeCommand(message, cmd)) {
      return {DecodeStatus::kMalformed, "message " + std::to_string(index) + ": malformed"};
    }
    out.push_back(std::move(cmd));
    ++index;
  }
  return {};
}

void EncodeProtobufReply(const proto::Reply& reply, std::string& out) {
  pb::LengthPrefix prefix(out);
  pb::AppendUintField(out, 1, reply.id);
  if (reply.error) {
    const proto::ReplyError& e = *reply.error;
    AppendMessage(out, 2, [&](std::string& o) {
      pb::AppendUintField(o, 1, e.code);
      pb::AppendBytesField(o, 2, e.message);
      pb::AppendBoolField(o, 3, e.temporary);
    });
  }
  WriteResult(out, reply.result);
}

void EncodeProtobufPush(const proto::Push& push, std::string& out) {
  pb::LengthPrefix prefix(out);
  AppendMessage(out, 4, [&](std::string& o) { WritePush(o, push); });
}

void EncodeProtobufBarePush(const proto::Push& push, std::string& out) {
  pb::LengthPrefix prefix(out);
  WritePush(out, push);
}

}  // namespace gyre::codec::internal
