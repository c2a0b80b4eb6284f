// Fuzzes loading a JSON configuration file, then validating what loaded.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/loader.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  gyre::config::Sources sources;  // no environment, no flags: the file alone
  auto loaded = gyre::config::LoadJson(text, sources);
  if (!loaded.ok()) {
    FUZZ_CHECK(!loaded.error().message.empty());
    return 0;
  }
  auto valid = gyre::config::Validate(loaded->config);
  if (!valid.ok()) FUZZ_CHECK(!valid.error().message.empty());
  return 0;
}
