#include "core/channel_rules.h"

namespace gyre::core {

ChannelRules::ChannelRules(const config::Config& config) : config_(config) {
  for (const auto& ns : config.channel.namespaces) {
    namespaces_[ns.name] = &ns.options;
    if (!ns.options.channel_regex.empty()) {
      regexes_.emplace(ns.name, std::regex(ns.options.channel_regex));
    }
  }
  if (!config.channel.without_namespace.channel_regex.empty()) {
    regexes_.emplace("", std::regex(config.channel.without_namespace.channel_regex));
  }
}

Result<ChannelInfo> ChannelRules::Resolve(std::string_view channel) const {
  ChannelInfo info;
  std::string_view rest = channel;
  const std::string& prefix = config_.channel.private_prefix;
  if (!prefix.empty() && rest.substr(0, prefix.size()) == prefix) {
    info.is_private = true;
    rest.remove_prefix(prefix.size());
  }
  size_t b = rest.find(config_.channel.namespace_boundary);
  if (b == std::string_view::npos || config_.channel.namespace_boundary.empty()) {
    info.options = &config_.channel.without_namespace;
  } else {
    auto it = namespaces_.find(std::string(rest.substr(0, b)));
    if (it == namespaces_.end()) return errors::UnknownChannel();
    info.namespace_name = it->first;  // owned by the rules, so the info may outlive `channel`
    info.options = it->second;
  }
  info.user_limited = info.options->allow_user_limited_channels &&
                      channel.find(config_.channel.user_boundary) != std::string_view::npos;
  return info;
}

bool ChannelRules::ValidName(std::string_view channel, const ChannelInfo& info) const {
  auto it = regexes_.find(std::string(info.namespace_name));
  if (it != regexes_.end()) {
    std::string_view rest = channel;
    if (info.is_private) rest.remove_prefix(config_.channel.private_prefix.size());
    if (!info.namespace_name.empty()) {
      rest.remove_prefix(info.namespace_name.size() + config_.channel.namespace_boundary.size());
    }
    return std::regex_match(rest.begin(), rest.end(), it->second);
  }
  for (unsigned char c : channel) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool ChannelRules::UserAllowed(std::string_view channel, std::string_view user) const {
  size_t pos = channel.rfind(config_.channel.user_boundary);
  if (pos == std::string_view::npos) return false;
  std::string_view users = channel.substr(pos + config_.channel.user_boundary.size());
  const std::string& sep = config_.channel.user_separator;
  while (true) {
    size_t s = sep.empty() ? std::string_view::npos : users.find(sep);
    if (users.substr(0, s) == user) return true;
    if (s == std::string_view::npos) return false;
    users.remove_prefix(s + sep.size());
  }
}

}  // namespace gyre::core
