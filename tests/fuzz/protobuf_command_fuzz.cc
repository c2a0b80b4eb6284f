// Fuzzes DecodeCommands for protobuf frames (varint-length-prefixed messages). Decoded commands
// are echoed through the protobuf encoders.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codec/codec.h"
#include "command_echo.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  std::vector<gyre::proto::Command> commands;
  gyre::codec::DecodeResult r =
      gyre::codec::DecodeCommands(gyre::proto::Encoding::kProtobuf, frame, commands);
  if (r.status != gyre::codec::DecodeStatus::kOk) {
    FUZZ_CHECK(!r.message.empty());
    return 0;
  }
  FUZZ_CHECK(!commands.empty());
  for (const gyre::proto::Command& cmd : commands) {
    std::string out = gyre::fuzz::EchoCommand(gyre::proto::Encoding::kProtobuf, cmd);
    FUZZ_CHECK(!out.empty());
  }
  // Any byte string may be a `data` field in protobuf; IsValidJsonPayload must cope with it.
  (void)gyre::codec::IsValidJsonPayload(frame);
  return 0;
}
