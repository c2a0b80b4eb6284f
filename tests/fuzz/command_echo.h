// Builds replies and pushes that echo the fields of a decoded command, so that the command fuzz
// targets push fuzzer-chosen bytes through the encoders as the server would.
#pragma once

#include <string>
#include <type_traits>
#include <variant>

#include "codec/codec.h"
#include "codec/protocol.h"

namespace gyre::fuzz {

// Encodes one reply and one push carrying the command's payloads; returns the wire messages
// joined as a frame would join them.
inline std::string EchoCommand(proto::Encoding encoding, const proto::Command& cmd) {
  proto::Reply reply;
  reply.id = cmd.id;
  proto::Push push;
  std::visit(
      [&](const auto& req) {
        using T = std::decay_t<decltype(req)>;
        if constexpr (std::is_same_v<T, proto::ConnectRequest>) {
          proto::ConnectResult result;
          result.client = req.name;
          result.version = req.version;
          result.data = req.data;
          for (const auto& [channel, sub] : req.subs) {
            proto::SubscribeResult& s = result.subs[channel];
            s.epoch = sub.epoch;
            s.offset = sub.offset;
            s.data = sub.data;
          }
          reply.result = std::move(result);
          push.body = proto::Message{req.data};
        } else if constexpr (std::is_same_v<T, proto::SubscribeRequest>) {
          proto::SubscribeResult result;
          result.epoch = req.epoch;
          result.offset = req.offset;
          result.data = req.data;
          reply.result = std::move(result);
          push.channel = req.channel;
          push.body =
              proto::Subscribe{req.recoverable, req.epoch, req.offset, req.positioned, req.data};
        } else if constexpr (std::is_same_v<T, proto::PublishRequest>) {
          proto::Publication pub;
          pub.data = req.data;
          pub.info = proto::ClientInfo{req.channel, req.channel, req.data, {}};
          pub.tags[req.channel] = req.channel;
          push.channel = req.channel;
          push.body = std::move(pub);
          reply.result = proto::PublishResult{};
        } else if constexpr (std::is_same_v<T, proto::HistoryRequest>) {
          proto::HistoryResult result;
          if (req.since) {
            result.epoch = req.since->epoch;
            result.offset = req.since->offset;
          }
          reply.result = std::move(result);
          push.channel = req.channel;
          push.body = proto::Unsubscribe{static_cast<uint32_t>(req.limit), req.channel};
        } else if constexpr (std::is_same_v<T, proto::SendRequest>) {
          push.body = proto::Message{req.data};
        } else if constexpr (std::is_same_v<T, proto::RpcRequest>) {
          reply.result = proto::RpcResult{req.data};
          push.body = proto::DisconnectPush{3000, req.method};
        } else if constexpr (std::is_same_v<T, proto::RefreshRequest>) {
          reply.result = proto::RefreshResult{req.token, req.token, true, 1};
        } else if constexpr (std::is_same_v<T, proto::SubRefreshRequest>) {
          reply.error = proto::ReplyError{103, req.token, false};
          push.channel = req.channel;
        }
      },
      cmd.request);
  std::string frame;
  codec::EncodeReply(encoding, reply, frame);
  codec::AppendSeparator(encoding, 1, frame);
  codec::EncodePush(encoding, push, frame);
  return frame;
}

}  // namespace gyre::fuzz
