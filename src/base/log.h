// Logging goes through spdlog; this header fixes the one logger every layer uses.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace gyre::log {

// Sets the level from Centrifugo's names: trace, debug, info, warn, error, none.
// Returns false for an unknown level name.
bool SetLevel(std::string_view level);

}  // namespace gyre::log
