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

}  // namespace gyre::codec
