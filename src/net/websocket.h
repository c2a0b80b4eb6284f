// WebSocket (RFC 6455) framing and handshake helpers. Pure functions over bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gyre::net {

enum class WsOpcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

struct WsFrame {
  WsOpcode opcode = WsOpcode::kText;
  bool fin = true;
  std::string_view payload;  // unmasked in place
};

enum class WsParseStatus { kIncomplete, kFrame, kError };

struct WsParseResult {
  WsParseStatus status = WsParseStatus::kIncomplete;
  size_t consumed = 0;
  uint16_t close_code = 0;  // on kError: 1002 protocol error, 1009 too big
  const char* error = "";
};

// Parses one client frame at `data` (client frames must be masked). Unmasks the payload in place.
WsParseResult ParseWsFrame(char* data, size_t len, uint64_t max_payload, WsFrame& out);

// Writes an unmasked server frame header (FIN set) into `out` (>= 10 bytes); returns its size.
size_t BuildWsFrameHeader(WsOpcode opcode, uint64_t payload_len, char* out);

// Builds a complete close frame with status code and reason (reason truncated to 123 bytes).
std::string BuildWsCloseFrame(uint16_t code, std::string_view reason);

// Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
std::string WsAcceptKey(std::string_view key);

}  // namespace gyre::net
