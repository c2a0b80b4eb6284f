#include "net/websocket.h"

#include <openssl/sha.h>

#include <cstring>

#include "base/util.h"

namespace gyre::net {

WsParseResult ParseWsFrame(char* data, size_t len, uint64_t max_payload, WsFrame& out) {
  WsParseResult r;
  if (len < 2) return r;
  auto* b = reinterpret_cast<unsigned char*>(data);
  bool fin = (b[0] & 0x80) != 0;
  if (b[0] & 0x70) {
    r.status = WsParseStatus::kError;
    r.close_code = 1002;
    r.error = "reserved bits set (extensions are not negotiated)";
    return r;
  }
  auto opcode = static_cast<WsOpcode>(b[0] & 0x0F);
  bool masked = (b[1] & 0x80) != 0;
  uint64_t plen = b[1] & 0x7F;
  size_t pos = 2;
  if (plen == 126) {
    if (len < 4) return r;
    plen = (uint64_t{b[2]} << 8) | b[3];
    pos = 4;
  } else if (plen == 127) {
    if (len < 10) return r;
    plen = 0;
    for (int i = 0; i < 8; ++i) plen = (plen << 8) | b[2 + i];
    pos = 10;
  }
  bool control = (b[0] & 0x08) != 0;
  if (!masked) {
    r.status = WsParseStatus::kError;
    r.close_code = 1002;
    r.error = "client frame is not masked";
    return r;
  }
  if (control && (plen > 125 || !fin)) {
    r.status = WsParseStatus::kError;
    r.close_code = 1002;
    r.error = "invalid control frame";
    return r;
  }
  switch (opcode) {
    case WsOpcode::kContinuation:
    case WsOpcode::kText:
    case WsOpcode::kBinary:
    case WsOpcode::kClose:
    case WsOpcode::kPing:
    case WsOpcode::kPong:
      break;
    default:
      r.status = WsParseStatus::kError;
      r.close_code = 1002;
      r.error = "unknown opcode";
      return r;
  }
  if (plen > max_payload) {
    r.status = WsParseStatus::kError;
    r.close_code = 1009;
    r.error = "message too big";
    return r;
  }
  if (len - pos < 4 || len - pos - 4 < plen) return r;  // no overflow for any plen
  unsigned char mask[4];
  std::memcpy(mask, b + pos, 4);
  pos += 4;
  unsigned char* p = b + pos;
  for (uint64_t i = 0; i < plen; ++i) p[i] ^= mask[i & 3];
  out.opcode = opcode;
  out.fin = fin;
  out.payload = std::string_view(data + pos, plen);
  r.status = WsParseStatus::kFrame;
  r.consumed = pos + plen;
  return r;
}

size_t BuildWsFrameHeader(WsOpcode opcode, uint64_t n, char* out) {
  auto* o = reinterpret_cast<unsigned char*>(out);
  o[0] = static_cast<unsigned char>(0x80 | static_cast<uint8_t>(opcode));
  if (n < 126) {
    o[1] = static_cast<unsigned char>(n);
    return 2;
  }
  if (n <= 0xFFFF) {
    o[1] = 126;
    o[2] = static_cast<unsigned char>(n >> 8);
    o[3] = static_cast<unsigned char>(n);
    return 4;
  }
  o[1] = 127;
  for (int i = 0; i < 8; ++i) o[2 + i] = static_cast<unsigned char>(n >> (56 - 8 * i));
  return 10;
}

std::string BuildWsCloseFrame(uint16_t code, std::string_view reason) {
  if (reason.size() > 123) reason = reason.substr(0, 123);
  std::string out;
  char hdr[10];
  size_t h = BuildWsFrameHeader(WsOpcode::kClose, 2 + reason.size(), hdr);
  out.append(hdr, h);
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason);
  return out;
}

std::string WsAcceptKey(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string s(key);
  s.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return Base64Encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

}  // namespace gyre::net
