// Channel names and namespaces (spec §5.1): which options apply to a channel, whether it is
// private ($), user-limited (#) and who may use it.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "config/config.h"

namespace gyre::core {

struct ChannelInfo {
  const config::ChannelOptions* options = nullptr;
  std::string_view namespace_name;  // "" = without namespace; points into the rules
  bool is_private = false;
  bool user_limited = false;  // contains the user boundary and the namespace allows it
};

class ChannelRules {
 public:
  explicit ChannelRules(const config::Config& config);

  // Resolves options; error 102 for an unknown namespace.
  Result<ChannelInfo> Resolve(std::string_view channel) const;
  // Name validity for client-side subscribe (ASCII, or the namespace's channel_regex).
  bool ValidName(std::string_view channel, const ChannelInfo& info) const;
  // True when `user` is listed after the last user boundary of a user-limited channel.
  bool UserAllowed(std::string_view channel, std::string_view user) const;
  size_t max_length() const { return static_cast<size_t>(config_.channel.max_length); }

 private:
  const config::Config& config_;
  std::unordered_map<std::string, const config::ChannelOptions*> namespaces_;
  std::unordered_map<std::string, std::regex> regexes_;  // by namespace name
};

}  // namespace gyre::core
