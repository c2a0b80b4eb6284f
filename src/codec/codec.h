// Encoding and decoding of client protocol v2 frames, JSON and protobuf (spec §1.2, §1.8).
//
// Pure functions over bytes. Framing: a JSON frame is messages separated by '\n' (a trailing
// '\n' is tolerated); a protobuf frame is messages each prefixed by its varint length.
//
// "Wire message" below means one message ready to be placed in a frame: for JSON the bare JSON
// object, for protobuf the varint length prefix followed by the message. Joining wire messages is
// then uniform: JSON inserts '\n' between them, protobuf concatenates. This lets one encoded
// publication be shared by every subscriber and coalesced with others without re-encoding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "codec/protocol.h"

namespace gyre::codec {

enum class DecodeStatus {
  kOk,
  kMalformed,  // not decodable: the caller disconnects with 3501 (bad request)
};

struct DecodeResult {
  DecodeStatus status = DecodeStatus::kOk;
  std::string message;  // what was malformed, for logs
};

// Decodes every command of one frame, in order, appending to `out`. An empty frame is malformed.
// Field type mismatches (e.g. a string `id`) are malformed.
DecodeResult DecodeCommands(proto::Encoding encoding, std::string_view frame,
                            std::vector<proto::Command>& out);

// Appends one wire message for a reply / push (a push is sent as Reply{push: ...}).
void EncodeReply(proto::Encoding encoding, const proto::Reply& reply, std::string& out);
void EncodePush(proto::Encoding encoding, const proto::Push& push, std::string& out);
// The server ping: `{}` in JSON, an empty message in protobuf.
void EncodePing(proto::Encoding encoding, std::string& out);
// Appends one wire message holding a bare Push (no Reply wrapper), as unidirectional transports
// send them. Their ping is the empty Push, i.e. EncodePing's bytes.
void EncodeBarePush(proto::Encoding encoding, const proto::Push& push, std::string& out);

// Appends the separator needed before the next wire message in a frame that already has
// `messages_in_frame` messages (JSON: '\n' when > 0; protobuf: nothing).
inline void AppendSeparator(proto::Encoding encoding, size_t messages_in_frame, std::string& out) {
  if (encoding == proto::Encoding::kJson && messages_in_frame > 0) out.push_back('\n');
}

// True when `data` can be embedded in a JSON message (is exactly one valid JSON value).
bool IsValidJsonPayload(std::string_view data);

// Appends `s` as a JSON string literal (quotes included), escaped as Centrifugo escapes strings.
// Delta subscriptions carry publication data this way in JSON (spec §1.8).
void AppendJsonString(std::string_view s, std::string& out);

// ---- encoding helpers for pieces shared with the server API ----
void AppendClientInfoJson(const proto::ClientInfo& info, std::string& out);
void AppendPublicationJson(const proto::Publication& pub, std::string& out);

}  // namespace gyre::codec
