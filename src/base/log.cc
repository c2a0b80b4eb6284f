#include "base/log.h"

namespace gyre::log {

bool SetLevel(std::string_view level) {
  using spdlog::level::level_enum;
  level_enum l;
  if (level == "trace")
    l = level_enum::trace;
  else if (level == "debug")
    l = level_enum::debug;
  else if (level == "info")
    l = level_enum::info;
  else if (level == "warn" || level == "warning")
    l = level_enum::warn;
  else if (level == "error")
    l = level_enum::err;
  else if (level == "none")
    l = level_enum::off;
  else
    return false;
  spdlog::set_level(l);
  return true;
}

}  // namespace gyre::log
