#include "config/loader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config_test_util.h"

namespace gyre::config {
namespace {

using namespace std::chrono_literals;
using test_util::ConfigJson;
using test_util::ErrorOf;
using test_util::MustLoad;

// The seed project's config.json, verbatim apart from the secrets.
constexpr std::string_view kSeedV5 = R"({
  "token_hmac_secret_key": "tok-secret",
  "admin_password": "adm-pass",
  "admin_secret": "adm-secret",
  "api_key": "api-key",
  "admin": true,
  "allowed_origins": ["https://x"],
  "allow_subscribe_for_client": true,
  "port": "8000"
})";

constexpr std::string_view kSeedV6 = R"({
  "client": {
    "token": {"hmac_secret_key": "tok-secret"},
    "allowed_origins": ["https://x"]
  },
  "admin": {"enabled": true, "password": "adm-pass", "secret": "adm-secret"},
  "http_api": {"key": "api-key"},
  "channel": {"without_namespace": {"allow_subscribe_for_client": true}},
  "http_server": {"port": 8000}
})";

TEST(LoaderTest, SeedV5ConfigLoads) {
  LoadResult r = MustLoad(kSeedV5);
  EXPECT_TRUE(r.warnings.empty());
  const Config& c = r.config;
  EXPECT_EQ(c.client.token.hmac_secret_key, "tok-secret");
  EXPECT_EQ(c.admin.password, "adm-pass");
  EXPECT_EQ(c.admin.secret, "adm-secret");
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_EQ(c.http_api.key, "api-key");
  EXPECT_EQ(c.client.allowed_origins, std::vector<std::string>{"https://x"});
  EXPECT_TRUE(c.channel.without_namespace.allow_subscribe_for_client);
  EXPECT_EQ(c.http_server.port, 8000);
  EXPECT_TRUE(Validate(c).ok());
}

TEST(LoaderTest, BothDialectsLoadIdenticalSeedConfig) {
  LoadResult v5 = MustLoad(kSeedV5);
  LoadResult v6 = MustLoad(kSeedV6);
  EXPECT_TRUE(v6.warnings.empty());
  EXPECT_EQ(ConfigJson(v5.config), ConfigJson(v6.config));
}

TEST(LoaderTest, DefaultsAreCentrifugos) {
  const Config c = MustLoad("{}").config;
  EXPECT_EQ(ConfigJson(c), ConfigJson(Config{}));
  EXPECT_EQ(c.http_server.port, 8000);
  EXPECT_EQ(c.client.ping_interval, 25s);
  EXPECT_EQ(c.client.pong_timeout, 8s);
  EXPECT_EQ(c.channel.history_meta_ttl, 720h);
  EXPECT_EQ(c.engine.type, "memory");
  EXPECT_TRUE(Validate(c).ok());
}

TEST(LoaderTest, PortAsNumberOrString) {
  EXPECT_EQ(MustLoad(R"({"port": 9001})").config.http_server.port, 9001);
  EXPECT_EQ(MustLoad(R"({"port": "9002"})").config.http_server.port, 9002);
  EXPECT_EQ(MustLoad(R"({"http_server": {"port": "9003"}})").config.http_server.port, 9003);
}

TEST(LoaderTest, AdminIsBoolInV5AndObjectInV6) {
  EXPECT_TRUE(MustLoad(R"({"admin": true})").config.admin.enabled);
  EXPECT_FALSE(MustLoad(R"({"admin": false})").config.admin.enabled);
  EXPECT_TRUE(MustLoad(R"({"admin": {"enabled": true}})").config.admin.enabled);
  EXPECT_EQ(ErrorOf(R"({"admin": 5})"),
            R"(config key "admin": expected boolean or object, got number 5)");
  EXPECT_EQ(MustLoad(R"({"engine": "redis"})").config.engine.type, "redis");
  EXPECT_EQ(MustLoad(R"({"engine": {"type": "redis"}})").config.engine.type, "redis");
  EXPECT_TRUE(MustLoad(R"({"health": true})").config.health.enabled);
  EXPECT_TRUE(MustLoad(R"({"health": {"enabled": true}})").config.health.enabled);
}

TEST(LoaderTest, V5FlatKeysMapOntoV6Fields) {
  const Config c = MustLoad(R"({
    "name": "node-a", "address": "127.0.0.1", "internal_port": 9100, "log_level": "debug",
    "log_file": "/tmp/g.log", "pid_file": "/tmp/g.pid", "workers": 3,
    "engine": "redis", "redis_address": "redis://r:6379", "redis_prefix": "gy",
    "redis_connect_timeout": "2s", "redis_io_timeout": 5, "redis_db": 2, "redis_user": "u",
    "redis_password": "p", "global_presence_ttl": "30s", "redis_use_lists": true,
    "token_rsa_public_key": "RSA", "token_audience": "aud", "token_issuer_regex": "^i$",
    "separate_subscription_token_config": true, "subscription_token_hmac_secret_key": "sub",
    "client_insecure": true, "client_user_id_http_header": "X-User",
    "client_expired_close_delay": "1m30s", "client_channel_limit": 7,
    "client_queue_max_size": 2048, "client_concurrency": 4,
    "client_history_max_publication_limit": 50, "ping_interval": "20s", "pong_timeout": "5s",
    "user_subscribe_to_personal": true, "user_personal_channel_namespace": "personal",
    "global_history_meta_ttl": "100h", "channel_max_length": 100, "channel_private_prefix": "!",
    "api_insecure": true, "api_handler_prefix": "/v1/api", "api_error_mode": "transport",
    "admin_insecure": true, "admin_handler_prefix": "/adm", "health": true,
    "prometheus": true, "websocket_disable": false, "websocket_message_size_limit": 1024,
    "websocket_write_timeout": "250ms", "websocket_compression": true,
    "shutdown_timeout": "10s", "history_size": 10, "history_ttl": "300s", "presence": true,
    "namespaces": [{"name": "personal", "presence": true}]
  })")
                       .config;
  EXPECT_EQ(c.node_name, "node-a");
  EXPECT_EQ(c.http_server.address, "127.0.0.1");
  EXPECT_EQ(c.http_server.internal_port, 9100);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_file, "/tmp/g.log");
  EXPECT_EQ(c.pid_file, "/tmp/g.pid");
  EXPECT_EQ(c.workers, 3);
  EXPECT_EQ(c.engine.type, "redis");
  EXPECT_EQ(c.engine.redis.address, std::vector<std::string>{"redis://r:6379"});
  EXPECT_EQ(c.engine.redis.prefix, "gy");
  EXPECT_EQ(c.engine.redis.connect_timeout, 2s);
  EXPECT_EQ(c.engine.redis.io_timeout, 5s);
  EXPECT_EQ(c.engine.redis.db, 2);
  EXPECT_EQ(c.engine.redis.user, "u");
  EXPECT_EQ(c.engine.redis.password, "p");
  EXPECT_EQ(c.engine.redis.presence_ttl, 30s);
  EXPECT_TRUE(c.engine.redis.history_use_lists);
  EXPECT_EQ(c.client.token.rsa_public_key, "RSA");
  EXPECT_EQ(c.client.token.audience, "aud");
  EXPECT_EQ(c.client.token.issuer_regex, "^i$");
  EXPECT_TRUE(c.client.subscription_token_enabled);
  EXPECT_EQ(c.client.subscription_token.hmac_secret_key, "sub");
  EXPECT_TRUE(c.client.insecure);
  EXPECT_EQ(c.client.user_id_http_header, "X-User");
  EXPECT_EQ(c.client.expired_close_delay, 90s);
  EXPECT_EQ(c.client.channel_limit, 7);
  EXPECT_EQ(c.client.queue_max_size, 2048);
  EXPECT_EQ(c.client.concurrency, 4);
  EXPECT_EQ(c.client.history_max_publication_limit, 50);
  EXPECT_EQ(c.client.ping_interval, 20s);
  EXPECT_EQ(c.client.pong_timeout, 5s);
  EXPECT_TRUE(c.client.subscribe_to_user_personal_channel.enabled);
  EXPECT_EQ(c.client.subscribe_to_user_personal_channel.personal_channel_namespace, "personal");
  EXPECT_EQ(c.channel.history_meta_ttl, 100h);
  EXPECT_EQ(c.channel.max_length, 100);
  EXPECT_EQ(c.channel.private_prefix, "!");
  EXPECT_TRUE(c.http_api.insecure);
  EXPECT_EQ(c.http_api.handler_prefix, "/v1/api");
  EXPECT_EQ(c.http_api.error_mode, "transport");
  EXPECT_TRUE(c.admin.insecure);
  EXPECT_EQ(c.admin.handler_prefix, "/adm");
  EXPECT_TRUE(c.health.enabled);
  EXPECT_TRUE(c.prometheus.enabled);
  EXPECT_EQ(c.websocket.message_size_limit, 1024);
  EXPECT_EQ(c.websocket.write_timeout, 250ms);
  EXPECT_TRUE(c.websocket.compression);
  EXPECT_EQ(c.shutdown_timeout, 10s);
  EXPECT_EQ(c.channel.without_namespace.history_size, 10);
  EXPECT_EQ(c.channel.without_namespace.history_ttl, 300s);
  EXPECT_TRUE(c.channel.without_namespace.presence);
  ASSERT_EQ(c.channel.namespaces.size(), 1u);
  EXPECT_EQ(c.channel.namespaces[0].name, "personal");
  EXPECT_TRUE(c.channel.namespaces[0].options.presence);
  EXPECT_TRUE(Validate(c).ok()) << Validate(c).error().message;
}

TEST(LoaderTest, V6NestedKeys) {
  const Config c = MustLoad(R"({
    "node": {"name": "n1"}, "log": {"level": "warn", "file": "f"}, "workers": 2,
    "http_server": {"address": "0.0.0.0", "port": 8100, "internal_port": 8101},
    "engine": {"type": "redis", "redis": {"address": ["redis://a", "redis://b"], "db": 1,
               "presence_ttl": "10s", "history_use_lists": true}},
    "client": {"token": {"hmac_secret_key": "s", "hmac_previous_secret_key": "old",
                         "hmac_previous_secret_key_valid_until": 1700000000, "user_id_claim": "uid"},
               "subscription_token": {"enabled": true, "hmac_secret_key": "ss"},
               "insecure": true, "channel_limit": 3, "ping_interval": "10s", "pong_timeout": "4s",
               "subscribe_to_user_personal_channel": {"enabled": true, "single_connection": true}},
    "channel": {"history_meta_ttl": "24h", "user_boundary": "@",
                "without_namespace": {"join_leave": true},
                "namespaces": [{"name": "chat", "history_size": 100, "history_ttl": "12h",
                                "force_recovery": true, "allowed_delta_types": ["fossil"]}]},
    "http_api": {"key": "k", "disabled": true, "external": true},
    "admin": {"enabled": true, "external": true},
    "health": {"enabled": true, "handler_prefix": "/hc"},
    "prometheus": {"enabled": true, "handler_prefix": "/m"},
    "websocket": {"disabled": true, "handler_prefix": "/ws", "message_size_limit": 4096},
    "shutdown": {"timeout": "3s"}, "pid_file": "p"
  })")
                       .config;
  EXPECT_EQ(c.node_name, "n1");
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.log_file, "f");
  EXPECT_EQ(c.workers, 2);
  EXPECT_EQ(c.http_server.address, "0.0.0.0");
  EXPECT_EQ(c.http_server.port, 8100);
  EXPECT_EQ(c.http_server.internal_port, 8101);
  EXPECT_EQ(c.engine.type, "redis");
  EXPECT_EQ(c.engine.redis.address, (std::vector<std::string>{"redis://a", "redis://b"}));
  EXPECT_EQ(c.engine.redis.db, 1);
  EXPECT_EQ(c.engine.redis.presence_ttl, 10s);
  EXPECT_TRUE(c.engine.redis.history_use_lists);
  EXPECT_EQ(c.client.token.hmac_secret_key, "s");
  EXPECT_EQ(c.client.token.hmac_previous_secret_key, "old");
  EXPECT_EQ(c.client.token.hmac_previous_secret_key_valid_until, 1700000000);
  EXPECT_EQ(c.client.token.user_id_claim, "uid");
  EXPECT_TRUE(c.client.subscription_token_enabled);
  EXPECT_EQ(c.client.subscription_token.hmac_secret_key, "ss");
  EXPECT_TRUE(c.client.insecure);
  EXPECT_EQ(c.client.channel_limit, 3);
  EXPECT_EQ(c.client.ping_interval, 10s);
  EXPECT_EQ(c.client.pong_timeout, 4s);
  EXPECT_TRUE(c.client.subscribe_to_user_personal_channel.single_connection);
  EXPECT_EQ(c.channel.history_meta_ttl, 24h);
  EXPECT_EQ(c.channel.user_boundary, "@");
  EXPECT_TRUE(c.channel.without_namespace.join_leave);
  const ChannelOptions* chat = FindNamespace(c, "chat");
  ASSERT_NE(chat, nullptr);
  EXPECT_EQ(chat->history_size, 100);
  EXPECT_EQ(chat->history_ttl, 12h);
  EXPECT_TRUE(chat->force_recovery);
  EXPECT_EQ(chat->allowed_delta_types, std::vector<std::string>{"fossil"});
  EXPECT_EQ(FindNamespace(c, ""), &c.channel.without_namespace);
  EXPECT_EQ(FindNamespace(c, "nope"), nullptr);
  EXPECT_EQ(c.http_api.key, "k");
  EXPECT_TRUE(c.http_api.disabled);
  EXPECT_TRUE(c.http_api.external);
  EXPECT_TRUE(c.admin.external);
  EXPECT_EQ(c.health.handler_prefix, "/hc");
  EXPECT_EQ(c.prometheus.handler_prefix, "/m");
  EXPECT_TRUE(c.websocket.disabled);
  EXPECT_EQ(c.websocket.handler_prefix, "/ws");
  EXPECT_EQ(c.websocket.message_size_limit, 4096);
  EXPECT_EQ(c.shutdown_timeout, 3s);
  EXPECT_EQ(c.pid_file, "p");
  EXPECT_TRUE(Validate(c).ok()) << Validate(c).error().message;
}

TEST(LoaderTest, NamespacesInBothDialectsAreIdentical) {
  LoadResult v5 = MustLoad(R"({"namespaces": [
      {"name": "chat", "presence": true, "history_size": 10, "history_ttl": "60s",
       "allow_history_for_subscriber": true},
      {"name": "news", "allow_subscribe_for_anonymous": true}]})");
  LoadResult v6 = MustLoad(R"({"channel": {"namespaces": [
      {"name": "chat", "presence": true, "history_size": 10, "history_ttl": "60s",
       "allow_history_for_subscriber": true},
      {"name": "news", "allow_subscribe_for_anonymous": true}]}})");
  EXPECT_EQ(ConfigJson(v5.config), ConfigJson(v6.config));
  ASSERT_EQ(v6.config.channel.namespaces.size(), 2u);
  EXPECT_EQ(v6.config.channel.namespaces[1].name, "news");
  EXPECT_TRUE(v6.config.channel.namespaces[1].options.allow_subscribe_for_anonymous);
}

TEST(LoaderTest, UnknownKeysWarnWithFullDottedKey) {
  LoadResult r = MustLoad(R"({"client": {"tokne": {"x": 1}, "token": {"hmac_secret": "s"}},
      "foo": 1, "channel": {"without_namespace": {"presense": true},
      "namespaces": [{"name": "chat", "histroy_size": 1}]}})");
  EXPECT_EQ(r.warnings, (std::vector<std::string>{
                            R"(unknown key in config: "client.tokne")",
                            R"(unknown key in config: "client.token.hmac_secret")",
                            R"(unknown key in config: "foo")",
                            R"(unknown key in config: "channel.without_namespace.presense")",
                            R"(unknown key in config: "channel.namespaces[chat].histroy_size")",
                        }));
}

TEST(LoaderTest, UnsupportedCentrifugoKeysWarnAsIgnored) {
  LoadResult r = MustLoad(R"({"grpc_api": {"enabled": true}, "proxy_connect_endpoint": "x",
      "http_server": {"tls": {"enabled": false}},
      "namespaces": [{"name": "ns", "subscribe_proxy_enabled": true}]})");
  EXPECT_EQ(r.warnings,
            (std::vector<std::string>{
                R"(unsupported key in config (ignored): "grpc_api")",
                R"(unsupported key in config (ignored): "proxy_connect_endpoint")",
                R"(unsupported key in config (ignored): "http_server.tls")",
                R"(unsupported key in config (ignored): "namespaces[ns].subscribe_proxy_enabled")",
            }));
}

TEST(LoaderTest, TypeErrorsNameTheKeyAndExpectedForm) {
  EXPECT_EQ(ErrorOf(R"({"client": {"channel_limit": "abc"}})"),
            R"(config key "client.channel_limit": expected integer, got string "abc")");
  EXPECT_EQ(ErrorOf(R"({"client_channel_limit": 1.5})"),
            R"(config key "client_channel_limit": expected integer, got number 1.5)");
  EXPECT_EQ(ErrorOf(R"({"http_server": {"port": 0}})"),
            R"(config key "http_server.port": expected port number 1..65535, got number 0)");
  EXPECT_EQ(ErrorOf(R"({"port": "70000"})"),
            R"(config key "port": expected port number 1..65535, got string "70000")");
  EXPECT_EQ(
      ErrorOf(R"({"http_server": {"internal_port": -1}})"),
      R"(config key "http_server.internal_port": expected port number 0..65535, got number -1)");
  EXPECT_EQ(ErrorOf(R"({"client": {"insecure": "yes"}})"),
            R"(config key "client.insecure": expected boolean, got string "yes")");
  EXPECT_EQ(
      ErrorOf(R"({"client": {"ping_interval": "25 seconds"}})"),
      R"(config key "client.ping_interval": expected duration like "25s" or "1m30s", got string "25 seconds")");
  EXPECT_EQ(
      ErrorOf(R"({"client": {"ping_interval": -3}})"),
      R"(config key "client.ping_interval": expected duration like "25s" or "1m30s", got number -3)");
  EXPECT_EQ(ErrorOf(R"({"http_api": {"key": 42}})"),
            R"(config key "http_api.key": expected string, got number 42)");
  EXPECT_EQ(ErrorOf(R"({"allowed_origins": ["a", 1]})"),
            R"(config key "allowed_origins": expected array of strings, got number 1 at index 1)");
  EXPECT_EQ(ErrorOf(R"({"client": {"allowed_origins": {}}})"),
            R"(config key "client.allowed_origins": expected array of strings, got object)");
  EXPECT_EQ(ErrorOf(R"({"client": "x"})"),
            R"(config key "client": expected object, got string "x")");
  EXPECT_EQ(ErrorOf(R"({"client": {"token": []}})"),
            R"(config key "client.token": expected object, got array)");
  EXPECT_EQ(ErrorOf(R"({"presence": null})"),
            R"(config key "presence": expected boolean, got null)");
  EXPECT_EQ(ErrorOf(R"({"workers": "many"})"),
            R"(config key "workers": expected integer, got string "many")");
  EXPECT_EQ(ErrorOf(R"({"client": {"queue_max_size": 1e30}})"),
            R"(config key "client.queue_max_size": expected integer, got number 1e+30)");
  EXPECT_EQ(ErrorOf("[]"), "config: expected an object at top level, got array");
}

TEST(LoaderTest, NamespaceErrorsNameTheNamespace) {
  EXPECT_EQ(
      ErrorOf(R"({"channel": {"namespaces": [{"name": "chat", "history_size": "x"}]}})"),
      R"(config key "channel.namespaces[chat].history_size": expected integer, got string "x")");
  EXPECT_EQ(ErrorOf(R"({"namespaces": [{"presence": true}]})"),
            R"(config key "namespaces[0].name": required)");
  EXPECT_EQ(ErrorOf(R"({"namespaces": [{"name": 5}]})"),
            R"(config key "namespaces[0].name": expected string, got number 5)");
  EXPECT_EQ(ErrorOf(R"({"namespaces": ["chat"]})"),
            R"(config key "namespaces[0]": expected object, got string "chat")");
  EXPECT_EQ(ErrorOf(R"({"channel": {"namespaces": {}}})"),
            R"(config key "channel.namespaces": expected array of namespace objects, got object)");
  EXPECT_EQ(ErrorOf(R"({"channel": {"without_namespace": {"presence": 1.5}}})"),
            R"(config key "channel.without_namespace.presence": expected boolean, got number 1.5)");
}

TEST(LoaderTest, MalformedJsonReportsLineAndColumn) {
  EXPECT_EQ(ErrorOf("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            "invalid JSON at line 3, column 7: syntax error");
  EXPECT_EQ(ErrorOf("{\"a\": 1} x"), "invalid JSON at line 1, column 10: extra data");
  EXPECT_EQ(ErrorOf("{\"a\": "), "invalid JSON at line 1, column 7: incomplete JSON");
}

TEST(LoaderTest, LenientScalarsAsCentrifugoV5Read) {
  const Config c = MustLoad(R"({"client_channel_limit": "64", "admin": "true",
      "client_stale_close_delay": 15, "client_expired_close_delay": "90",
      "history_ttl": 1.5, "redis_address": "redis://one"})")
                       .config;
  EXPECT_EQ(c.client.channel_limit, 64);
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_EQ(c.client.stale_close_delay, 15s);
  EXPECT_EQ(c.client.expired_close_delay, 90s);
  EXPECT_EQ(c.channel.without_namespace.history_ttl, 1500ms);
  EXPECT_EQ(c.engine.redis.address, std::vector<std::string>{"redis://one"});
}

Sources FromFile(std::string path) {
  Sources sources;
  sources.file_path = std::move(path);
  return sources;
}

class LoadFileTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& p : paths_) std::filesystem::remove(p);
  }
  std::string Write(std::string_view name, std::string_view text) {
    auto path = std::filesystem::temp_directory_path() /
                ("gyre_config_test_" + std::to_string(::getpid()) + "_" + std::string(name));
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path.string();
  }
  std::vector<std::filesystem::path> paths_;
};

TEST_F(LoadFileTest, JsonFile) {
  auto r = Load(FromFile(Write("c.json", kSeedV5)));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(ConfigJson(r->config), ConfigJson(MustLoad(kSeedV6).config));
}

TEST_F(LoadFileTest, MissingFileAndBadJsonNameTheFile) {
  auto r = Load(FromFile("/nonexistent/gyre.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "config file not found: /nonexistent/gyre.json");
  std::string path = Write("bad.json", "{\"a\" 1}");
  r = Load(FromFile(path));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "config file " + path + ": invalid JSON at line 1, column 6: syntax error");
}

TEST_F(LoadFileTest, NoFileMeansDefaults) {
  auto r = Load(Sources{.file_path = "", .env = {}, .flags = {}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ConfigJson(r->config), ConfigJson(Config{}));
}

TEST_F(LoadFileTest, YamlFileInBothDialects) {
  auto v5 = Load(FromFile(Write("c.yaml", R"(
token_hmac_secret_key: tok-secret
admin_password: "adm-pass"
admin_secret: adm-secret
api_key: api-key
admin: true
allowed_origins: ["https://x"]
allow_subscribe_for_client: true
port: "8000"
)")));
  ASSERT_TRUE(v5.ok()) << v5.error().message;
  auto v6 = Load(FromFile(Write("c.yml", R"(
client:
  token:
    hmac_secret_key: tok-secret
  allowed_origins:
    - https://x
admin: {enabled: true, password: adm-pass, secret: adm-secret}
http_api:
  key: api-key
channel:
  without_namespace:
    allow_subscribe_for_client: true
http_server:
  port: 8000
)")));
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(ConfigJson(v5->config), ConfigJson(MustLoad(kSeedV6).config));
  EXPECT_EQ(ConfigJson(v6->config), ConfigJson(MustLoad(kSeedV6).config));
}

TEST_F(LoadFileTest, YamlErrors) {
  auto r = LoadYaml("client:\n  channel_limit: [1\n", {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message.starts_with("invalid YAML at line ")) << r.error().message;
  // A quoted number stays a string.
  r = LoadYaml("client:\n  channel_limit: \"x1\"\n", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            R"(config key "client.channel_limit": expected integer, got string "x1")");
  // An empty document is an empty config.
  r = LoadYaml("", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ConfigJson(r->config), ConfigJson(Config{}));
}

TEST_F(LoadFileTest, TomlFile) {
  auto r = Load(FromFile(Write("c.toml", R"(
[client]
allowed_origins = ["https://x"]
[client.token]
hmac_secret_key = "tok-secret"
[admin]
enabled = true
password = "adm-pass"
secret = "adm-secret"
[http_api]
key = "api-key"
[channel.without_namespace]
allow_subscribe_for_client = true
[http_server]
port = 8000
)")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(ConfigJson(r->config), ConfigJson(MustLoad(kSeedV6).config));

  auto ns = LoadToml(R"(
[[channel.namespaces]]
name = "chat"
history_size = 10
history_ttl = "60s"
)",
                     {});
  ASSERT_TRUE(ns.ok()) << ns.error().message;
  ASSERT_NE(FindNamespace(ns->config, "chat"), nullptr);
  EXPECT_EQ(FindNamespace(ns->config, "chat")->history_ttl, 60s);

  auto bad = LoadToml("a = \n", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().message.starts_with("invalid TOML: ")) << bad.error().message;
}

}  // namespace
}  // namespace gyre::config
