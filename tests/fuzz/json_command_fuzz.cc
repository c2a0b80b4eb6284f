// Fuzzes DecodeCommands for JSON frames. Decoded commands are echoed through the JSON encoders,
// and what comes out must be one JSON message per line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "codec/codec.h"
#include "command_echo.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  std::vector<gyre::proto::Command> commands;
  gyre::codec::DecodeResult r =
      gyre::codec::DecodeCommands(gyre::proto::Encoding::kJson, frame, commands);
  if (r.status != gyre::codec::DecodeStatus::kOk) {
    FUZZ_CHECK(!r.message.empty());
    return 0;
  }
  FUZZ_CHECK(!commands.empty());
  for (const gyre::proto::Command& cmd : commands) {
    std::string out = gyre::fuzz::EchoCommand(gyre::proto::Encoding::kJson, cmd);
    size_t nl = out.find('\n');
    FUZZ_CHECK(nl != std::string::npos);
    FUZZ_CHECK(out.find('\n', nl + 1) == std::string::npos);
    std::string_view text(out);
    FUZZ_CHECK(gyre::json::Parse(text.substr(0, nl)).type == gyre::json::Type::kObject);
    FUZZ_CHECK(gyre::json::Parse(text.substr(nl + 1)).type == gyre::json::Type::kObject);
  }
  return 0;
}
