// Per-encoding entry points behind the dispatching functions of codec.h. Internal to src/codec/
// and its tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/codec.h"
#include "codec/protocol.h"

namespace gyre::codec::internal {

DecodeResult DecodeJsonCommands(std::string_view frame, std::vector<proto::Command>& out);
void EncodeJsonReply(const proto::Reply& reply, std::string& out);
void EncodeJsonPush(const proto::Push& push, std::string& out);
void EncodeJsonBarePush(const proto::Push& push, std::string& out);

DecodeResult DecodeProtobufCommands(std::string_view frame, std::vector<proto::Command>& out);
void EncodeProtobufReply(const proto::Reply& reply, std::string& out);
void EncodeProtobufPush(const proto::Push& push, std::string& out);
void EncodeProtobufBarePush(const proto::Push& push, std::string& out);

// The request fields of one decoded command. More than one may be set; MoveInto keeps the one
// centrifuge's dispatcher would handle, checking them in this order.
struct RequestSlots {
  std::optional<proto::ConnectRequest> connect;
  std::optional<proto::SubscribeRequest> subscribe;
  std::optional<proto::UnsubscribeRequest> unsubscribe;
  std::optional<proto::PublishRequest> publish;
  std::optional<proto::PresenceRequest> presence;
  std::optional<proto::PresenceStatsRequest> presence_stats;
  std::optional<proto::HistoryRequest> history;
  std::optional<proto::PingRequest> ping;
  std::optional<proto::SendRequest> send;
  std::optional<proto::RpcRequest> rpc;
  std::optional<proto::RefreshRequest> refresh;
  std::optional<proto::SubRefreshRequest> sub_refresh;

  void MoveInto(proto::Command& cmd);
};

// Appends `s` as a JSON string escaped exactly as Centrifugo's protocol writer does: `"` and `\`
// escaped, \n \r \t short forms, other control bytes and `<` `>` `&` as \u00XX, invalid UTF-8
// bytes as \ufffd, U+2028/U+2029 as \u2028/\u2029.
void AppendProtocolString(std::string& out, std::string_view s);

}  // namespace gyre::codec::internal
