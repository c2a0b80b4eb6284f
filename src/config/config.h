// Typed configuration with Centrifugo's defaults.
//
// The structure follows Centrifugo v6's nested keys (client.token.hmac_secret_key, http_api.key,
// channel.namespaces, ...). The loader (loader.h) also accepts v5's flat keys
// (token_hmac_secret_key, api_key, namespaces, top-level channel options, ...), environment
// variables and flags, and maps them onto this one structure. Every default below is Centrifugo's
// unless marked "gyre".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace gyre::config {

using Duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

// Options of one namespace (or of channels without namespace). All default to off.
struct ChannelOptions {
  bool presence = false;
  bool join_leave = false;
  bool force_push_join_leave = false;
  int history_size = 0;
  Duration history_ttl{0};
  Duration history_meta_ttl{0};  // 0 = channel.history_meta_ttl
  bool force_positioning = false;
  bool allow_positioning = false;
  bool force_recovery = false;
  bool allow_recovery = false;
  std::string force_recovery_mode;  // "", "stream", "cache"
  std::vector<std::string> allowed_delta_types;
  bool delta_publish = false;
  bool allow_tags_filter = false;
  bool allow_subscribe_for_client = false;
  bool allow_subscribe_for_anonymous = false;
  bool allow_publish_for_subscriber = false;
  bool allow_publish_for_client = false;
  bool allow_publish_for_anonymous = false;
  bool allow_presence_for_subscriber = false;
  bool allow_presence_for_client = false;
  bool allow_presence_for_anonymous = false;
  bool allow_history_for_subscriber = false;
  bool allow_history_for_client = false;
  bool allow_history_for_anonymous = false;
  bool allow_user_limited_channels = false;
  std::string channel_regex;
  std::string publication_data_format;  // "", "json", "json_object", "binary"

  bool HistoryEnabled() const { return history_size > 0 && history_ttl.count() > 0; }
};

struct Namespace {
  std::string name;
  ChannelOptions options;
};

struct TokenConfig {
  std::string hmac_secret_key;
  std::string hmac_previous_secret_key;
  int64_t hmac_previous_secret_key_valid_until = 0;  // unix seconds
  std::string rsa_public_key;                        // PEM
  std::string ecdsa_public_key;                      // PEM
  std::string jwks_public_endpoint;
  std::string audience;
  std::string audience_regex;
  std::string issuer;
  std::string issuer_regex;
  std::string user_id_claim;  // "" = "sub"
};

struct PersonalChannel {
  bool enabled = false;
  std::string personal_channel_namespace;
  bool single_connection = false;
};

struct ClientConfig {
  TokenConfig token;
  bool subscription_token_enabled = false;
  TokenConfig subscription_token;
  std::vector<std::string> allowed_origins;
  bool insecure = false;
  bool insecure_skip_token_signature_verify = false;
  bool allow_anonymous_connect_without_token = false;
  bool disallow_anonymous_connection_tokens = false;
  std::string user_id_http_header;
  Duration expired_close_delay = 25s;
  Duration expired_sub_close_delay = 25s;
  Duration stale_close_delay = 10s;
  int channel_limit = 128;
  int64_t queue_max_size = 1048576;
  Duration presence_update_interval = 27s;
  int user_connection_limit = 0;
  int connection_limit = 0;
  int connection_rate_limit = 0;
  int concurrency = 0;
  Duration channel_position_check_delay = 40s;
  Duration channel_position_max_time_lag{0};
  bool connect_include_server_time = false;
  int history_max_publication_limit = 300;
  int recovery_max_publication_limit = 300;
  Duration ping_interval = 25s;
  Duration pong_timeout = 8s;
  PersonalChannel subscribe_to_user_personal_channel;
};

struct ChannelConfig {
  ChannelOptions without_namespace;
  std::vector<Namespace> namespaces;
  Duration history_meta_ttl = std::chrono::hours(720);
  int max_length = 255;
  std::string private_prefix = "$";
  std::string namespace_boundary = ":";
  std::string user_boundary = "#";
  std::string user_separator = ",";
};

struct HttpServerConfig {
  std::string address;  // "" = all interfaces
  int port = 8000;
  std::string internal_address;
  int internal_port = 0;  // 0 = same as port
};

struct HttpApiConfig {
  std::string key;
  bool insecure = false;
  bool external = false;
  bool disabled = false;
  std::string handler_prefix = "/api";
  std::string error_mode;  // "" or "transport"
};

struct AdminConfig {
  bool enabled = false;
  std::string password;
  std::string secret;
  bool insecure = false;
  bool external = false;
  std::string handler_prefix;
};

struct EndpointConfig {
  bool enabled = false;
  std::string handler_prefix;
};

struct WebsocketConfig {
  bool disabled = false;
  std::string handler_prefix = "/connection/websocket";
  int64_t message_size_limit = 65536;
  Duration write_timeout = 1000ms;
  bool compression = false;
};

struct RedisConfig {
  std::vector<std::string> address{"redis://127.0.0.1:6379"};
  std::string prefix = "centrifugo";
  Duration connect_timeout = 1s;
  Duration io_timeout = 4s;
  int db = 0;
  std::string user;
  std::string password;
  Duration presence_ttl = 60s;
  bool history_use_lists = false;
};

struct EngineConfig {
  std::string type = "memory";  // "memory" or "redis"
  RedisConfig redis;
};

struct Config {
  HttpServerConfig http_server;
  std::string log_level = "info";
  std::string log_file;
  std::string node_name;  // "" = hostname_port
  int workers = 0;        // gyre: event loops; 0 = number of cores
  EngineConfig engine;
  ClientConfig client;
  ChannelConfig channel;
  HttpApiConfig http_api;
  AdminConfig admin;
  EndpointConfig health{false, "/health"};
  EndpointConfig prometheus{false, "/metrics"};
  WebsocketConfig websocket;
  Duration shutdown_timeout = 30s;
  std::string pid_file;
};

}  // namespace gyre::config
