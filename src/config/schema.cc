#include "config/schema.h"

#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

namespace gyre::config::schema {
namespace {

// One row per supported Config field: v6 path, v5 key, kind, member.
#define GYRE_FIELD(v6, v5, kind, member)                              \
  Field {                                                             \
    v6, v5, Kind::kind, [](Config& c) -> Target { return &c.member; } \
  }

// Token options share their names between client.token and client.subscription_token; v5 has
// `token_<name>` and `subscription_token_<name>` for the subset that existed then.
#define GYRE_TOKEN(section, v5_prefix, member)                                                     \
  GYRE_FIELD(section ".hmac_secret_key", v5_prefix "hmac_secret_key", kString,                     \
             member.hmac_secret_key),                                                              \
      GYRE_FIELD(section ".hmac_previous_secret_key", "", kString,                                 \
                 member.hmac_previous_secret_key),                                                 \
      GYRE_FIELD(section ".hmac_previous_secret_key_valid_until", "", kInt64,                      \
                 member.hmac_previous_secret_key_valid_until),                                     \
      GYRE_FIELD(section ".rsa_public_key", v5_prefix "rsa_public_key", kString,                   \
                 member.rsa_public_key),                                                           \
      GYRE_FIELD(section ".ecdsa_public_key", v5_prefix "ecdsa_public_key", kString,               \
                 member.ecdsa_public_key),                                                         \
      GYRE_FIELD(section ".jwks_public_endpoint", v5_prefix "jwks_public_endpoint", kString,       \
                 member.jwks_public_endpoint),                                                     \
      GYRE_FIELD(section ".audience", v5_prefix "audience", kString, member.audience),             \
      GYRE_FIELD(section ".audience_regex", v5_prefix "audience_regex", kString,                   \
                 member.audience_regex),                                                           \
      GYRE_FIELD(section ".issuer", v5_prefix "issuer", kString, member.issuer),                   \
      GYRE_FIELD(section ".issuer_regex", v5_prefix "issuer_regex", kString, member.issuer_regex), \
      GYRE_FIELD(section ".user_id_claim", v5_prefix "user_id_claim", kString,                     \
                 member.user_id_claim)

const Field kFields[] = {
    GYRE_FIELD("http_server.address", "address", kString, http_server.address),
    GYRE_FIELD("http_server.port", "port", kPort, http_server.port),
    GYRE_FIELD("http_server.internal_address", "internal_address", kString,
               http_server.internal_address),
    GYRE_FIELD("http_server.internal_port", "internal_port", kPortOrZero,
               http_server.internal_port),
    GYRE_FIELD("log.level", "log_level", kString, log_level),
    GYRE_FIELD("log.file", "log_file", kString, log_file),
    GYRE_FIELD("node.name", "name", kString, node_name),
    GYRE_FIELD("workers", "workers", kInt, workers),
    GYRE_FIELD("pid_file", "pid_file", kString, pid_file),
    GYRE_FIELD("engine.type", "engine", kString, engine.type),
    GYRE_FIELD("engine.redis.address", "redis_address", kStringList, engine.redis.address),
    GYRE_FIELD("engine.redis.prefix", "redis_prefix", kString, engine.redis.prefix),
    GYRE_FIELD("engine.redis.connect_timeout", "redis_connect_timeout", kDuration,
               engine.redis.connect_timeout),
    GYRE_FIELD("engine.redis.io_timeout", "redis_io_timeout", kDuration, engine.redis.io_timeout),
    GYRE_FIELD("engine.redis.db", "redis_db", kInt, engine.redis.db),
    GYRE_FIELD("engine.redis.user", "redis_user", kString, engine.redis.user),
    GYRE_FIELD("engine.redis.password", "redis_password", kString, engine.redis.password),
    GYRE_FIELD("engine.redis.presence_ttl", "global_presence_ttl", kDuration,
               engine.redis.presence_ttl),
    GYRE_FIELD("engine.redis.history_use_lists", "redis_use_lists", kBool,
               engine.redis.history_use_lists),
    GYRE_TOKEN("client.token", "token_", client.token),
    GYRE_FIELD("client.subscription_token.enabled", "separate_subscription_token_config", kBool,
               client.subscription_token_enabled),
    GYRE_TOKEN("client.subscription_token", "subscription_token_", client.subscription_token),
    GYRE_FIELD("client.allowed_origins", "allowed_origins", kStringList, client.allowed_origins),
    GYRE_FIELD("client.insecure", "client_insecure", kBool, client.insecure),
    GYRE_FIELD("client.insecure_skip_token_signature_verify",
               "client_insecure_skip_token_signature_verify", kBool,
               client.insecure_skip_token_signature_verify),
    GYRE_FIELD("client.allow_anonymous_connect_without_token",
               "allow_anonymous_connect_without_token", kBool,
               client.allow_anonymous_connect_without_token),
    GYRE_FIELD("client.disallow_anonymous_connection_tokens",
               "disallow_anonymous_connection_tokens", kBool,
               client.disallow_anonymous_connection_tokens),
    GYRE_FIELD("client.user_id_http_header", "client_user_id_http_header", kString,
               client.user_id_http_header),
    GYRE_FIELD("client.expired_close_delay", "client_expired_close_delay", kDuration,
               client.expired_close_delay),
    GYRE_FIELD("client.expired_sub_close_delay", "client_expired_sub_close_delay", kDuration,
               client.expired_sub_close_delay),
    GYRE_FIELD("client.stale_close_delay", "client_stale_close_delay", kDuration,
               client.stale_close_delay),
    GYRE_FIELD("client.channel_limit", "client_channel_limit", kInt, client.channel_limit),
    GYRE_FIELD("client.queue_max_size", "client_queue_max_size", kInt64, client.queue_max_size),
    GYRE_FIELD("client.presence_update_interval", "client_presence_update_interval", kDuration,
               client.presence_update_interval),
    GYRE_FIELD("client.user_connection_limit", "client_user_connection_limit", kInt,
               client.user_connection_limit),
    GYRE_FIELD("client.connection_limit", "client_connection_limit", kInt, client.connection_limit),
    GYRE_FIELD("client.connection_rate_limit", "client_connection_rate_limit", kInt,
               client.connection_rate_limit),
    GYRE_FIELD("client.concurrency", "client_concurrency", kInt, client.concurrency),
    GYRE_FIELD("client.channel_position_check_delay", "client_channel_position_check_delay",
               kDuration, client.channel_position_check_delay),
    GYRE_FIELD("client.channel_position_max_time_lag", "client_channel_position_max_time_lag",
               kDuration, client.channel_position_max_time_lag),
    GYRE_FIELD("client.connect_include_server_time", "client_connect_include_server_time", kBool,
               client.connect_include_server_time),
    GYRE_FIELD("client.history_max_publication_limit", "client_history_max_publication_limit", kInt,
               client.history_max_publication_limit),
    GYRE_FIELD("client.recovery_max_publication_limit", "client_recovery_max_publication_limit",
               kInt, client.recovery_max_publication_limit),
    GYRE_FIELD("client.ping_interval", "ping_interval", kDuration, client.ping_interval),
    GYRE_FIELD("client.pong_timeout", "pong_timeout", kDuration, client.pong_timeout),
    GYRE_FIELD("client.subscribe_to_user_personal_channel.enabled", "user_subscribe_to_personal",
               kBool, client.subscribe_to_user_personal_channel.enabled),
    GYRE_FIELD("client.subscribe_to_user_personal_channel.personal_channel_namespace",
               "user_personal_channel_namespace", kString,
               client.subscribe_to_user_personal_channel.personal_channel_namespace),
    GYRE_FIELD("client.subscribe_to_user_personal_channel.single_connection",
               "user_personal_single_connection", kBool,
               client.subscribe_to_user_personal_channel.single_connection),
    GYRE_FIELD("channel.history_meta_ttl", "global_history_meta_ttl", kDuration,
               channel.history_meta_ttl),
    GYRE_FIELD("channel.max_length", "channel_max_length", kInt, channel.max_length),
    GYRE_FIELD("channel.private_prefix", "channel_private_prefix", kString, channel.private_prefix),
    GYRE_FIELD("channel.namespace_boundary", "channel_namespace_boundary", kString,
               channel.namespace_boundary),
    GYRE_FIELD("channel.user_boundary", "channel_user_boundary", kString, channel.user_boundary),
    GYRE_FIELD("channel.user_separator", "channel_user_separator", kString, channel.user_separator),
    GYRE_FIELD("http_api.key", "api_key", kString, http_api.key),
    GYRE_FIELD("http_api.insecure", "api_insecure", kBool, http_api.insecure),
    GYRE_FIELD("http_api.external", "api_external", kBool, http_api.external),
    GYRE_FIELD("http_api.disabled", "api_disable", kBool, http_api.disabled),
    GYRE_FIELD("http_api.handler_prefix", "api_handler_prefix", kString, http_api.handler_prefix),
    GYRE_FIELD("http_api.error_mode", "api_error_mode", kString, http_api.error_mode),
    GYRE_FIELD("admin.enabled", "admin", kBool, admin.enabled),
    GYRE_FIELD("admin.password", "admin_password", kString, admin.password),
    GYRE_FIELD("admin.secret", "admin_secret", kString, admin.secret),
    GYRE_FIELD("admin.insecure", "admin_insecure", kBool, admin.insecure),
    GYRE_FIELD("admin.external", "admin_external", kBool, admin.external),
    GYRE_FIELD("admin.handler_prefix", "admin_handler_prefix", kString, admin.handler_prefix),
    GYRE_FIELD("health.enabled", "health", kBool, health.enabled),
    GYRE_FIELD("health.handler_prefix", "health_handler_prefix", kString, health.handler_prefix),
    GYRE_FIELD("prometheus.enabled", "prometheus", kBool, prometheus.enabled),
    GYRE_FIELD("prometheus.handler_prefix", "prometheus_handler_prefix", kString,
               prometheus.handler_prefix),
    GYRE_FIELD("websocket.disabled", "websocket_disable", kBool, websocket.disabled),
    GYRE_FIELD("websocket.handler_prefix", "websocket_handler_prefix", kString,
               websocket.handler_prefix),
    GYRE_FIELD("websocket.message_size_limit", "websocket_message_size_limit", kInt64,
               websocket.message_size_limit),
    GYRE_FIELD("websocket.write_timeout", "websocket_write_timeout", kDuration,
               websocket.write_timeout),
    GYRE_FIELD("websocket.compression", "websocket_compression", kBool, websocket.compression),
    GYRE_FIELD("shutdown.timeout", "shutdown_timeout", kDuration, shutdown_timeout),
};
#undef GYRE_TOKEN
#undef GYRE_FIELD

#define GYRE_OPTION(name, kind)                                             \
  OptionField {                                                             \
#name, Kind::kind, [](ChannelOptions & o) -> Target { return &o.name; } \
  }

const OptionField kOptionFields[] = {
    GYRE_OPTION(presence, kBool),
    GYRE_OPTION(join_leave, kBool),
    GYRE_OPTION(force_push_join_leave, kBool),
    GYRE_OPTION(history_size, kInt),
    GYRE_OPTION(history_ttl, kDuration),
    GYRE_OPTION(history_meta_ttl, kDuration),
    GYRE_OPTION(force_positioning, kBool),
    GYRE_OPTION(allow_positioning, kBool),
    GYRE_OPTION(force_recovery, kBool),
    GYRE_OPTION(allow_recovery, kBool),
    GYRE_OPTION(force_recovery_mode, kString),
    GYRE_OPTION(allowed_delta_types, kStringList),
    GYRE_OPTION(delta_publish, kBool),
    GYRE_OPTION(allow_tags_filter, kBool),
    GYRE_OPTION(allow_subscribe_for_client, kBool),
    GYRE_OPTION(allow_subscribe_for_anonymous, kBool),
    GYRE_OPTION(allow_publish_for_subscriber, kBool),
    GYRE_OPTION(allow_publish_for_client, kBool),
    GYRE_OPTION(allow_publish_for_anonymous, kBool),
    GYRE_OPTION(allow_presence_for_subscriber, kBool),
    GYRE_OPTION(allow_presence_for_client, kBool),
    GYRE_OPTION(allow_presence_for_anonymous, kBool),
    GYRE_OPTION(allow_history_for_subscriber, kBool),
    GYRE_OPTION(allow_history_for_client, kBool),
    GYRE_OPTION(allow_history_for_anonymous, kBool),
    GYRE_OPTION(allow_user_limited_channels, kBool),
    GYRE_OPTION(channel_regex, kString),
    GYRE_OPTION(publication_data_format, kString),
};
#undef GYRE_OPTION

// Centrifugo v6 sections and keys whose features Gyre does not implement (a path matches when
// it equals an entry or lies below it).
constexpr std::string_view kUnsupportedV6[] = {
    "broker",
    "presence_manager",
    "map_broker",
    "controller",
    "rpc",
    "proxies",
    "grpc_api",
    "consumers",
    "sse",
    "http_stream",
    "webtransport",
    "uni_sse",
    "uni_http_stream",
    "uni_websocket",
    "uni_grpc",
    "emulation",
    "swagger",
    "debug",
    "init",
    "opentelemetry",
    "graphite",
    "usage_stats",
    "shared_poll",
    "enable_unreleased_features",
    "http_server.tls",
    "http_server.tls_autocert",
    "http_server.tls_external",
    "http_server.internal_tls",
    "http_server.http3",
    "client.proxy",
    "client.connect_proxy_name",
    "client.refresh_proxy_name",
    "client.rpc_proxy_name",
    "client.connection_limit_mode",
    "channel.proxy",
    "engine.redis.tls",
    "engine.redis.sentinel_tls",
    "engine.redis.client_name",
    "engine.redis.force_resp2",
    "engine.redis.cluster_address",
    "engine.redis.sentinel_address",
    "engine.redis.sentinel_master_name",
    "engine.redis.sentinel_user",
    "engine.redis.sentinel_password",
    "engine.redis.sentinel_client_name",
    "engine.redis.presence_user_mapping",
    "engine.redis.presence_hash_field_ttl",
    "engine.redis.replica_client",
    "engine.redis.history_ttl_lists",
    "websocket.compression_min_size",
    "websocket.compression_level",
    "websocket.read_buffer_size",
    "websocket.write_buffer_size",
    "websocket.use_write_buffer_pool",
    "websocket.decompressed_message_size_limit",
    "admin.web_path",
    "admin.web_proxy_address",
    "node.info_metrics_aggregate_interval",
    "prometheus.instrument_http_handlers",
    "prometheus.recover_memory_limit",
};

// Centrifugo v5 flat keys Gyre ignores, matched by prefix.
constexpr std::string_view kUnsupportedV5Prefixes[] = {
    "tls",
    "grpc_",
    "uni_",
    "sse",
    "http_stream",
    "proxy_",
    "nats_",
    "tarantool_",
    "sockjs",
    "rpc_",
    "usage_stats",
    "swagger",
    "debug",
    "emulation_",
    "broker",
    "graphite",
    "opentelemetry",
    "redis_tls",
    "redis_sentinel",
    "redis_cluster",
    "redis_client_name",
    "redis_force_resp2",
    "redis_presence",
    "global_redis_presence_user_mapping",
    "websocket_compression_",
    "websocket_read_buffer_size",
    "websocket_write_buffer_size",
    "websocket_use_write_buffer_pool",
    "admin_web_",
    "node_info_metrics_aggregate_interval",
    "client_anonymous",
    "connect_code_to_unidirectional_disconnect",
    "enable_unreleased_features",
};

constexpr std::string_view kUnsupportedOptions[] = {
    "subscribe_proxy_enabled",
    "publish_proxy_enabled",
    "sub_refresh_proxy_enabled",
    "subscribe_stream_proxy_enabled",
    "subscribe_stream_proxy_bidirectional",
    "subscribe_proxy_name",
    "publish_proxy_name",
    "sub_refresh_proxy_name",
    "subscribe_stream_proxy_name",
    "proxy_subscribe",
    "proxy_publish",
    "proxy_sub_refresh",
    "proxy_subscribe_stream",
    "proxy_subscribe_stream_bidirectional",
    "auto_cache_recover",
    "subscription_type",
    "map",
    "shared_poll",
    "map_clients_presence_channel_prefix",
    "map_users_presence_channel_prefix",
    "history_ttl_lists",
};

const std::set<std::string, std::less<>>& Sections() {
  static const auto* sections = [] {
    auto* s =
        new std::set<std::string, std::less<>>{"channel.without_namespace", "channel.namespaces"};
    for (const Field& f : kFields) {
      for (size_t dot = f.v6.find('.'); dot != std::string_view::npos;
           dot = f.v6.find('.', dot + 1)) {
        s->emplace(f.v6.substr(0, dot));
      }
    }
    return s;
  }();
  return *sections;
}

std::string Quote(std::string_view s) {
  return boost::json::serialize(boost::json::string(s));
}

template <class T>
bool ParseInteger(std::string_view text, T& out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size() && !text.empty();
}

// Integer from a JSON number (an integral double such as 1e3 counts) or a numeric string.
template <class T>
bool JsonInteger(const boost::json::value& v, T& out) {
  if (v.is_string()) return ParseInteger(std::string_view(v.get_string()), out);
  if (v.is_int64()) {
    int64_t x = v.get_int64();
    if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) return false;
    out = static_cast<T>(x);
    return true;
  }
  if (v.is_uint64()) {
    uint64_t x = v.get_uint64();
    if (x > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    out = static_cast<T>(x);
    return true;
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (d != std::floor(d) || d < static_cast<double>(std::numeric_limits<T>::min()) ||
        d > static_cast<double>(std::numeric_limits<T>::max())) {
      return false;
    }
    out = static_cast<T>(d);
    return true;
  }
  return false;
}

std::string Expected(Kind kind) {
  switch (kind) {
    case Kind::kBool:
      return "expected boolean";
    case Kind::kInt:
    case Kind::kInt64:
      return "expected integer";
    case Kind::kString:
      return "expected string";
    case Kind::kStringList:
      return "expected array of strings";
    case Kind::kDuration:
      return R"(expected duration like "25s" or "1m30s")";
    case Kind::kPort:
      return "expected port number 1..65535";
    case Kind::kPortOrZero:
      return "expected port number 0..65535";
  }
  return "unexpected kind";
}

bool SetPort(Kind kind, const Target& target, int port) {
  if (port < (kind == Kind::kPort ? 1 : 0) || port > 65535) return false;
  *std::get<int*>(target) = port;
  return true;
}

}  // namespace

std::span<const Field> Fields() {
  return kFields;
}
std::span<const OptionField> OptionFields() {
  return kOptionFields;
}

const Field* FindV6(std::string_view path) {
  for (const Field& f : kFields) {
    if (f.v6 == path) return &f;
  }
  return nullptr;
}

const Field* FindV5(std::string_view key) {
  if (key.empty()) return nullptr;
  for (const Field& f : kFields) {
    if (f.v5 == key) return &f;
  }
  return nullptr;
}

const OptionField* FindOption(std::string_view name) {
  for (const OptionField& f : kOptionFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool IsSection(std::string_view path) {
  return Sections().contains(path);
}

bool IsUnsupportedV6(std::string_view path) {
  for (std::string_view u : kUnsupportedV6) {
    if (path == u || (path.starts_with(u) && path.size() > u.size() && path[u.size()] == '.')) {
      return true;
    }
  }
  return false;
}

bool IsUnsupportedV5(std::string_view key) {
  for (std::string_view u : kUnsupportedV5Prefixes) {
    if (key.starts_with(u)) return true;
  }
  return false;
}

bool IsUnsupportedEnv(std::string_view lower) {
  if (IsUnsupportedV5(lower)) return true;
  for (std::string_view u : kUnsupportedV6) {
    std::string flat(u);
    for (char& c : flat) c = c == '.' ? '_' : c;
    if (lower == flat ||
        (lower.starts_with(flat) && lower.size() > flat.size() && lower[flat.size()] == '_')) {
      return true;
    }
  }
  return false;
}

bool IsUnsupportedOption(std::string_view name) {
  for (std::string_view u : kUnsupportedOptions) {
    if (name == u) return true;
  }
  return false;
}

std::string Describe(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return value.get_bool() ? "boolean true" : "boolean false";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return "number " + boost::json::serialize(value);
    case boost::json::kind::double_: {
      // Shortest round-trip form ("1.5", "1e+30") rather than the serializer's "1.5E0".
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value.get_double());
      return "number " + std::string(buf, ec == std::errc() ? end : buf);
    }
    case boost::json::kind::string:
      return "string " + boost::json::serialize(value);
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::object:
      return "object";
  }
  return "value";
}

std::optional<std::string> AssignJson(Kind kind, const Target& target,
                                      const boost::json::value& value) {
  auto fail = [&] { return Expected(kind) + ", got " + Describe(value); };
  switch (kind) {
    case Kind::kBool:
      if (value.is_bool()) {
        *std::get<bool*>(target) = value.get_bool();
        return std::nullopt;
      }
      if (value.is_string()) {
        if (auto b = ParseBool(value.get_string())) {
          *std::get<bool*>(target) = *b;
          return std::nullopt;
        }
      }
      return fail();
    case Kind::kInt:
      if (!JsonInteger(value, *std::get<int*>(target))) return fail();
      return std::nullopt;
    case Kind::kInt64:
      if (!JsonInteger(value, *std::get<int64_t*>(target))) return fail();
      return std::nullopt;
    case Kind::kString:
      if (!value.is_string()) return fail();
      *std::get<std::string*>(target) = value.get_string();
      return std::nullopt;
    case Kind::kStringList: {
      std::vector<std::string> list;
      if (value.is_string()) {
        list.emplace_back(value.get_string());
      } else if (value.is_array()) {
        const auto& array = value.get_array();
        for (size_t i = 0; i < array.size(); ++i) {
          if (!array[i].is_string()) {
            return Expected(kind) + ", got " + Describe(array[i]) + " at index " +
                   std::to_string(i);
          }
          list.emplace_back(array[i].get_string());
        }
      } else {
        return fail();
      }
      *std::get<std::vector<std::string>*>(target) = std::move(list);
      return std::nullopt;
    }
    case Kind::kDuration: {
      std::optional<Duration> d;
      if (value.is_string()) {
        d = ParseDuration(value.get_string());
      } else if (value.is_number()) {
        double seconds = value.to_number<double>();
        if (seconds >= 0 && seconds < 1e12) {
          d = Duration(static_cast<int64_t>(seconds * 1000 + 1e-6));
        }
      }
      if (!d) return fail();
      *std::get<Duration*>(target) = *d;
      return std::nullopt;
    }
    case Kind::kPort:
    case Kind::kPortOrZero: {
      int port = 0;
      if (!JsonInteger(value, port) || !SetPort(kind, target, port)) return fail();
      return std::nullopt;
    }
  }
  return fail();
}

std::optional<std::string> AssignText(Kind kind, const Target& target, std::string_view text) {
  auto fail = [&] { return Expected(kind) + ", got " + Quote(text); };
  switch (kind) {
    case Kind::kBool:
      if (auto b = ParseBool(text)) {
        *std::get<bool*>(target) = *b;
        return std::nullopt;
      }
      return Expected(kind) + " (true/false/1/0), got " + Quote(text);
    case Kind::kInt:
      if (!ParseInteger(text, *std::get<int*>(target))) return fail();
      return std::nullopt;
    case Kind::kInt64:
      if (!ParseInteger(text, *std::get<int64_t*>(target))) return fail();
      return std::nullopt;
    case Kind::kString:
      *std::get<std::string*>(target) = std::string(text);
      return std::nullopt;
    case Kind::kStringList: {
      std::vector<std::string> list;
      size_t i = 0;
      while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) list.emplace_back(text.substr(start, i - start));
      }
      *std::get<std::vector<std::string>*>(target) = std::move(list);
      return std::nullopt;
    }
    case Kind::kDuration:
      if (auto d = ParseDuration(text)) {
        *std::get<Duration*>(target) = *d;
        return std::nullopt;
      }
      return fail();
    case Kind::kPort:
    case Kind::kPortOrZero: {
      int port = 0;
      if (!ParseInteger(text, port) || !SetPort(kind, target, port)) return fail();
      return std::nullopt;
    }
  }
  return fail();
}

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  if (text == "0") return Duration(0);
  double total_ms = 0;
  bool any_unit = false;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (i == start) return std::nullopt;
    double number = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + i, number);
    if (ec != std::errc() || p != text.data() + i) return std::nullopt;
    size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) &&
           text[i] != '.') {
      ++i;
    }
    std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit.empty()) {
      // A bare number is seconds, but only as the whole text ("30"), not inside "1h30".
      if (start != 0 || any_unit) return std::nullopt;
      scale = 1000;
    } else if (unit == "h") {
      scale = 3600e3;
    } else if (unit == "m") {
      scale = 60e3;
    } else if (unit == "s") {
      scale = 1e3;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      scale = 1e-3;
    } else if (unit == "ns") {
      scale = 1e-6;
    } else {
      return std::nullopt;
    }
    any_unit = any_unit || !unit.empty();
    total_ms += number * scale;
  }
  if (total_ms > 9e15) return std::nullopt;
  return Duration(static_cast<int64_t>(total_ms + 1e-6));
}

std::optional<bool> ParseBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
      text == "True") {
    return true;
  }
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
      text == "False") {
    return false;
  }
  return std::nullopt;
}

}  // namespace gyre::config::schema
