// Fuzzes ParseWsFrame over a buffer of back-to-back client frames. The parser unmasks in place,
// so the input is copied to a mutable buffer first.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "fuzz_check.h"
#include "net/websocket.h"

namespace {
constexpr uint64_t kMaxPayload = 64 * 1024;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size heap copy keeps AddressSanitizer's redzone right after the last byte.
  std::unique_ptr<char[]> buf(new char[size == 0 ? 1 : size]);
  if (size > 0) std::memcpy(buf.get(), data, size);
  size_t offset = 0;
  while (offset < size) {
    gyre::net::WsFrame frame;
    size_t left = size - offset;
    gyre::net::WsParseResult r =
        gyre::net::ParseWsFrame(buf.get() + offset, left, kMaxPayload, frame);
    FUZZ_CHECK(r.consumed <= left);
    if (r.status == gyre::net::WsParseStatus::kError) {
      FUZZ_CHECK(r.close_code == 1002 || r.close_code == 1009);
      FUZZ_CHECK(r.error != nullptr && r.error[0] != '\0');
      break;
    }
    if (r.status == gyre::net::WsParseStatus::kIncomplete) {
      FUZZ_CHECK(r.consumed == 0);
      break;
    }
    FUZZ_CHECK(r.consumed >= 6);  // 2 header bytes and the 4-byte mask at least
    FUZZ_CHECK(frame.payload.size() <= kMaxPayload);
    FUZZ_CHECK(frame.payload.data() >= buf.get() + offset);
    FUZZ_CHECK(frame.payload.data() + frame.payload.size() == buf.get() + offset + r.consumed);
    if (frame.opcode == gyre::net::WsOpcode::kClose) {
      // Echoing a close frame's reason back must stay a valid control frame.
      std::string echo = gyre::net::BuildWsCloseFrame(1000, frame.payload);
      FUZZ_CHECK(echo.size() <= 2 + 125);
    }
    offset += r.consumed;
  }
  return 0;
}
