// Cross-field validation. Messages name keys by their v6 path; namespaces by name
// (channel.namespaces[chat].history_ttl) or, for name errors, by index.
#include <regex>
#include <set>

#include "config/loader.h"
#include "config/loader_internal.h"

namespace gyre::config {
namespace {

using internal::KeyError;

std::string Quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

bool RegexCompiles(const std::string& pattern, std::string& error) {
  try {
    std::regex re(pattern, std::regex::ECMAScript);
    return true;
  } catch (const std::regex_error& e) {
    error = e.what();
    return false;
  }
}

Result<bool> ValidateOptions(const ChannelOptions& o, const std::string& prefix,
                             Duration global_meta_ttl) {
  auto key = [&](std::string_view option) { return prefix + "." + std::string(option); };
  if (o.history_size < 0) return KeyError(key("history_size"), "must not be negative");
  if (o.history_ttl.count() < 0) return KeyError(key("history_ttl"), "must not be negative");
  if (o.history_size > 0 && o.history_ttl.count() == 0) {
    return KeyError(key("history_ttl"), "must be set when history_size is set");
  }
  if (o.history_ttl.count() > 0 && o.history_size == 0) {
    return KeyError(key("history_size"), "must be set when history_ttl is set");
  }
  Duration meta_ttl = o.history_meta_ttl.count() > 0 ? o.history_meta_ttl : global_meta_ttl;
  if (o.history_ttl > meta_ttl) {
    return KeyError(key("history_ttl"), "must not be greater than history_meta_ttl (" +
                                            std::to_string(meta_ttl.count() / 1000) + "s)");
  }
  bool history = o.HistoryEnabled();
  for (auto [flag, name] : {std::pair{o.force_recovery, "force_recovery"},
                            std::pair{o.allow_recovery, "allow_recovery"},
                            std::pair{o.force_positioning, "force_positioning"},
                            std::pair{o.allow_positioning, "allow_positioning"}}) {
    if (flag && !history) {
      return KeyError(key(name), "requires history (history_size and history_ttl)");
    }
  }
  if (o.force_recovery_mode != "" && o.force_recovery_mode != "stream" &&
      o.force_recovery_mode != "cache") {
    return KeyError(key("force_recovery_mode"), "unknown value " + Quoted(o.force_recovery_mode) +
                                                    R"(, expected "stream" or "cache")");
  }
  for (const std::string& type : o.allowed_delta_types) {
    if (type != "fossil") {
      return KeyError(key("allowed_delta_types"),
                      "unknown delta type " + Quoted(type) + R"(, expected "fossil")");
    }
  }
  if (o.publication_data_format != "" && o.publication_data_format != "json" &&
      o.publication_data_format != "json_object" && o.publication_data_format != "binary") {
    return KeyError(key("publication_data_format"),
                    "unknown value " + Quoted(o.publication_data_format) +
                        R"(, expected "json", "json_object" or "binary")");
  }
  std::string error;
  if (!o.channel_regex.empty() && !RegexCompiles(o.channel_regex, error)) {
    return KeyError(key("channel_regex"), "invalid regular expression: " + error);
  }
  return true;
}

bool ValidNamespaceName(const std::string& name) {
  static const std::regex re("^[-a-zA-Z0-9_.]{2,}$");
  return std::regex_match(name, re);
}

Result<bool> NonNegative(int64_t value, std::string_view key) {
  if (value < 0) return KeyError(key, "must not be negative");
  return true;
}

}  // namespace

Result<bool> Validate(const Config& config) {
  const ClientConfig& client = config.client;
  for (auto [value, key] : std::initializer_list<std::pair<int64_t, std::string_view>>{
           {config.workers, "workers"},
           {client.channel_limit, "client.channel_limit"},
           {client.queue_max_size, "client.queue_max_size"},
           {client.user_connection_limit, "client.user_connection_limit"},
           {client.connection_limit, "client.connection_limit"},
           {client.connection_rate_limit, "client.connection_rate_limit"},
           {client.concurrency, "client.concurrency"},
           {client.history_max_publication_limit, "client.history_max_publication_limit"},
           {client.recovery_max_publication_limit, "client.recovery_max_publication_limit"},
           {config.channel.max_length, "channel.max_length"},
           {config.websocket.message_size_limit, "websocket.message_size_limit"},
           {config.engine.redis.db, "engine.redis.db"},
       }) {
    auto r = NonNegative(value, key);
    if (!r) return r;
  }
  if (config.http_server.port < 1 || config.http_server.port > 65535) {
    return KeyError("http_server.port", "expected port number 1..65535");
  }
  if (config.http_server.internal_port < 0 || config.http_server.internal_port > 65535) {
    return KeyError("http_server.internal_port", "expected port number 0..65535");
  }
  if (client.ping_interval <= client.pong_timeout) {
    return KeyError("client.ping_interval", "must be greater than client.pong_timeout");
  }
  if (config.engine.type != "memory" && config.engine.type != "redis") {
    return KeyError("engine.type", "unknown engine " + Quoted(config.engine.type) +
                                       R"(, expected "memory" or "redis")");
  }
  static const std::set<std::string, std::less<>> kLevels{"trace", "debug", "info",
                                                          "warn",  "error", "none"};
  if (!kLevels.contains(config.log_level)) {
    return KeyError("log.level", "unknown level " + Quoted(config.log_level) +
                                     ", expected one of trace, debug, info, warn, error, none");
  }
  if (config.http_api.error_mode != "" && config.http_api.error_mode != "transport") {
    return KeyError("http_api.error_mode", "unknown value " + Quoted(config.http_api.error_mode) +
                                               R"(, expected "transport")");
  }
  std::string error;
  for (auto [token, prefix] :
       {std::pair{&client.token, "client.token"},
        std::pair{&client.subscription_token, "client.subscription_token"}}) {
    if (!token->audience_regex.empty() && !RegexCompiles(token->audience_regex, error)) {
      return KeyError(std::string(prefix) + ".audience_regex",
                      "invalid regular expression: " + error);
    }
    if (!token->issuer_regex.empty() && !RegexCompiles(token->issuer_regex, error)) {
      return KeyError(std::string(prefix) + ".issuer_regex",
                      "invalid regular expression: " + error);
    }
  }
  if (config.channel.history_meta_ttl.count() < 0) {
    return KeyError("channel.history_meta_ttl", "must not be negative");
  }
  for (auto [value, key] :
       {std::pair{&config.channel.private_prefix, "channel.private_prefix"},
        std::pair{&config.channel.namespace_boundary, "channel.namespace_boundary"},
        std::pair{&config.channel.user_boundary, "channel.user_boundary"},
        std::pair{&config.channel.user_separator, "channel.user_separator"}}) {
    if (value->empty()) return KeyError(key, "must not be empty");
  }

  auto r = ValidateOptions(config.channel.without_namespace, "channel.without_namespace",
                           config.channel.history_meta_ttl);
  if (!r) return r;
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < config.channel.namespaces.size(); ++i) {
    const Namespace& ns = config.channel.namespaces[i];
    std::string at = "channel.namespaces[" + std::to_string(i) + "].name";
    if (!ValidNamespaceName(ns.name)) {
      return KeyError(
          at, "invalid namespace name " + Quoted(ns.name) + ", must match ^[-a-zA-Z0-9_.]{2,}$");
    }
    if (!names.insert(ns.name).second) {
      return KeyError(at, "duplicate namespace name " + Quoted(ns.name));
    }
    r = ValidateOptions(ns.options, "channel.namespaces[" + ns.name + "]",
                        config.channel.history_meta_ttl);
    if (!r) return r;
  }

  const PersonalChannel& personal = client.subscribe_to_user_personal_channel;
  if (personal.enabled && !personal.personal_channel_namespace.empty() &&
      !names.contains(personal.personal_channel_namespace)) {
    return KeyError("client.subscribe_to_user_personal_channel.personal_channel_namespace",
                    "namespace " + Quoted(personal.personal_channel_namespace) + " not found");
  }
  return true;
}

}  // namespace gyre::config
