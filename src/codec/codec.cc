#include "codec/codec.h"

#include "codec/codec_internal.h"

namespace gyre::codec {

DecodeResult DecodeCommands(proto::Encoding encoding, std::string_view frame,
                            std::vector<proto::Command>& out) {
  if (encoding == proto::Encoding::kJson) return internal::DecodeJsonCommands(frame, out);
  return internal::DecodeProtobufCommands(frame, out);
}

void EncodeReply(proto::Encoding encoding, const proto::Reply& reply, std::string& out) {
  if (encoding == proto::Encoding::kJson) {
    internal::EncodeJsonReply(reply, out);
  } else {
    internal::EncodeProtobufReply(reply, out);
  }
}

void EncodePush(proto::Encoding encoding, const proto::Push& push, std::string& out) {
  if (encoding == proto::Encoding::kJson) {
    internal::EncodeJsonPush(push, out);
  } else {
    internal::EncodeProtobufPush(push, out);
  }
}

void EncodeBarePush(proto::Encoding encoding, const proto::Push& push, std::string& out) {
  if (encoding == proto::Encoding::kJson) {
    internal::EncodeJsonBarePush(push, out);
  } else {
    internal::EncodeProtobufBarePush(push, out);
  }
}

void EncodePing(proto::Encoding encoding, std::string& out) {
  if (encoding == proto::Encoding::kJson) {
    out.append("{}");
  } else {
    out.push_back('\0');  // varint length 0: the empty message
  }
}

namespace internal {

void RequestSlots::MoveInto(proto::Command& cmd) {
  if (connect)
    cmd.request = std::move(*connect);
  else if (ping)
    cmd.request = *ping;
  else if (subscribe)
    cmd.request = std::move(*subscribe);
  else if (unsubscribe)
    cmd.request = std::move(*unsubscribe);
  else if (publish)
    cmd.request = std::move(*publish);
  else if (presence)
    cmd.request = std::move(*presence);
  else if (presence_stats)
    cmd.request = std::move(*presence_stats);
  else if (history)
    cmd.request = std::move(*history);
  else if (rpc)
    cmd.request = std::move(*rpc);
  else if (send)
    cmd.request = std::move(*send);
  else if (refresh)
    cmd.request = std::move(*refresh);
  else if (sub_refresh)
    cmd.request = std::move(*sub_refresh);
}

}  // namespace internal

}  // namespace gyre::codec
