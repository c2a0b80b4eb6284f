// Environment and flag overrides: names in both dialects and both prefixes, precedence, errors.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_util.h"

namespace gyre::config {
namespace {

using namespace std::chrono_literals;
using test_util::ConfigJson;
using test_util::ErrorOf;
using test_util::MustLoad;

Sources Env(std::map<std::string, std::string> env) {
  Sources s;
  s.env = std::move(env);
  return s;
}

Sources Flags(std::map<std::string, std::string> flags,
              std::map<std::string, std::string> env = {}) {
  Sources s;
  s.env = std::move(env);
  s.flags = std::move(flags);
  return s;
}

TEST(EnvTest, V6Names) {
  const Config c = MustLoad("{}", Env({
                                      {"CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY", "tok"},
                                      {"CENTRIFUGO_HTTP_API_KEY", "api"},
                                      {"CENTRIFUGO_HTTP_SERVER_PORT", "9000"},
                                      {"CENTRIFUGO_ADMIN_ENABLED", "1"},
                                      {"CENTRIFUGO_CLIENT_ALLOWED_ORIGINS", "https://a  https://b"},
                                      {"CENTRIFUGO_CLIENT_PING_INTERVAL", "30s"},
                                      {"CENTRIFUGO_ENGINE_TYPE", "redis"},
                                      {"CENTRIFUGO_ENGINE_REDIS_ADDRESS", "redis://a redis://b"},
                                      {"CENTRIFUGO_CHANNEL_WITHOUT_NAMESPACE_PRESENCE", "true"},
                                      {"CENTRIFUGO_LOG_LEVEL", "debug"},
                                      {"CENTRIFUGO_NODE_NAME", "n"},
                                      {"CENTRIFUGO_WORKERS", "4"},
                                  }))
                       .config;
  EXPECT_EQ(c.client.token.hmac_secret_key, "tok");
  EXPECT_EQ(c.http_api.key, "api");
  EXPECT_EQ(c.http_server.port, 9000);
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_EQ(c.client.allowed_origins, (std::vector<std::string>{"https://a", "https://b"}));
  EXPECT_EQ(c.client.ping_interval, 30s);
  EXPECT_EQ(c.engine.type, "redis");
  EXPECT_EQ(c.engine.redis.address, (std::vector<std::string>{"redis://a", "redis://b"}));
  EXPECT_TRUE(c.channel.without_namespace.presence);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.node_name, "n");
  EXPECT_EQ(c.workers, 4);
}

TEST(EnvTest, V5NamesGiveTheSameConfig) {
  auto v5 = MustLoad("{}", Env({
                               {"CENTRIFUGO_TOKEN_HMAC_SECRET_KEY", "tok"},
                               {"CENTRIFUGO_API_KEY", "api"},
                               {"CENTRIFUGO_PORT", "9000"},
                               {"CENTRIFUGO_ADMIN", "true"},
                               {"CENTRIFUGO_ALLOWED_ORIGINS", "https://x"},
                               {"CENTRIFUGO_ALLOW_SUBSCRIBE_FOR_CLIENT", "t"},
                               {"CENTRIFUGO_ENGINE", "redis"},
                               {"CENTRIFUGO_NAME", "n"},
                           }));
  auto v6 =
      MustLoad("{}", Env({
                         {"CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY", "tok"},
                         {"CENTRIFUGO_HTTP_API_KEY", "api"},
                         {"CENTRIFUGO_HTTP_SERVER_PORT", "9000"},
                         {"CENTRIFUGO_ADMIN_ENABLED", "true"},
                         {"CENTRIFUGO_CLIENT_ALLOWED_ORIGINS", "https://x"},
                         {"CENTRIFUGO_CHANNEL_WITHOUT_NAMESPACE_ALLOW_SUBSCRIBE_FOR_CLIENT", "T"},
                         {"CENTRIFUGO_ENGINE_TYPE", "redis"},
                         {"CENTRIFUGO_NODE_NAME", "n"},
                     }));
  EXPECT_TRUE(v5.warnings.empty());
  EXPECT_TRUE(v6.warnings.empty());
  EXPECT_EQ(ConfigJson(v5.config), ConfigJson(v6.config));
  EXPECT_TRUE(v5.config.channel.without_namespace.allow_subscribe_for_client);
}

TEST(EnvTest, EnvOverridesFileAndEmptyMeansUnset) {
  const Config c = MustLoad(R"({"api_key": "file", "client": {"channel_limit": 5},
                                "token_hmac_secret_key": "file-tok"})",
                            Env({{"CENTRIFUGO_HTTP_API_KEY", "env"},
                                 {"CENTRIFUGO_TOKEN_HMAC_SECRET_KEY", ""},
                                 {"CENTRIFUGO_CLIENT_CHANNEL_LIMIT", "9"}}))
                       .config;
  EXPECT_EQ(c.http_api.key, "env");
  EXPECT_EQ(c.client.token.hmac_secret_key, "file-tok");
  EXPECT_EQ(c.client.channel_limit, 9);
}

TEST(EnvTest, GyrePrefixBeatsCentrifugoAndV6BeatsV5) {
  // Within one prefix the v6 name wins; GYRE_ wins over CENTRIFUGO_ whatever the dialect.
  EXPECT_EQ(MustLoad("{}", Env({{"CENTRIFUGO_API_KEY", "c5"}, {"CENTRIFUGO_HTTP_API_KEY", "c6"}}))
                .config.http_api.key,
            "c6");
  EXPECT_EQ(MustLoad("{}", Env({{"CENTRIFUGO_HTTP_API_KEY", "c6"}, {"GYRE_API_KEY", "g5"}}))
                .config.http_api.key,
            "g5");
  EXPECT_EQ(MustLoad("{}", Env({{"GYRE_API_KEY", "g5"},
                                {"GYRE_HTTP_API_KEY", "g6"},
                                {"CENTRIFUGO_HTTP_API_KEY", "c6"}}))
                .config.http_api.key,
            "g6");
  EXPECT_EQ(MustLoad("{}", Env({{"GYRE_PORT", "8500"}, {"CENTRIFUGO_HTTP_SERVER_PORT", "8400"}}))
                .config.http_server.port,
            8500);
}

TEST(EnvTest, UnknownVariablesWarnByName) {
  auto r = MustLoad("{}", Env({{"CENTRIFUGO_TOKEN_HMAC_SECRET", "x"},
                               {"GYRE_FOO", "1"},
                               {"CENTRIFUGO_GRPC_API_PORT", "10000"},
                               {"CENTRIFUGO_VAR_SECRET", "interpolation only"},
                               {"CENTRIFUGO_UNSET_EMPTY", ""},
                               {"HOME", "/root"}}));
  EXPECT_EQ(r.warnings,
            (std::vector<std::string>{
                R"(unsupported environment variable (ignored): "CENTRIFUGO_GRPC_API_PORT")",
                R"(unknown environment variable: "CENTRIFUGO_TOKEN_HMAC_SECRET")",
                R"(unknown environment variable: "GYRE_FOO")",
            }));
}

TEST(EnvTest, BadValuesNameTheVariableAndKey) {
  EXPECT_EQ(ErrorOf("{}", Env({{"CENTRIFUGO_CLIENT_CHANNEL_LIMIT", "abc"}})),
            "environment variable CENTRIFUGO_CLIENT_CHANNEL_LIMIT (config key "
            R"("client.channel_limit"): expected integer, got "abc")");
  EXPECT_EQ(
      ErrorOf("{}", Env({{"GYRE_PORT", "0"}})),
      R"(environment variable GYRE_PORT (config key "port"): expected port number 1..65535, got "0")");
  EXPECT_EQ(
      ErrorOf("{}", Env({{"CENTRIFUGO_ADMIN", "yes"}})),
      R"(environment variable CENTRIFUGO_ADMIN (config key "admin"): expected boolean (true/false/1/0), got "yes")");
  EXPECT_EQ(
      ErrorOf("{}", Env({{"CENTRIFUGO_PING_INTERVAL", "10 s"}})),
      R"(environment variable CENTRIFUGO_PING_INTERVAL (config key "ping_interval"): expected duration like "25s" or "1m30s", got "10 s")");
}

TEST(EnvTest, NamespacesFromEnvReplaceTheFile) {
  constexpr std::string_view kFile = R"({"channel": {"namespaces": [{"name": "old"}]}})";
  auto r = MustLoad(kFile, Env({{"CENTRIFUGO_CHANNEL_NAMESPACES",
                                 R"([{"name": "chat", "presence": true, "history_size": 10,
                                      "history_ttl": "60s"}, {"name": "news"}])"}}));
  ASSERT_EQ(r.config.channel.namespaces.size(), 2u);
  EXPECT_EQ(FindNamespace(r.config, "old"), nullptr);
  ASSERT_NE(FindNamespace(r.config, "chat"), nullptr);
  EXPECT_TRUE(FindNamespace(r.config, "chat")->presence);
  EXPECT_EQ(FindNamespace(r.config, "chat")->history_ttl, 60s);
  EXPECT_NE(FindNamespace(r.config, "news"), nullptr);

  // v5 name, and GYRE_ over CENTRIFUGO_.
  r = MustLoad(kFile, Env({{"CENTRIFUGO_NAMESPACES", R"([{"name": "c5"}])"},
                           {"GYRE_NAMESPACES", R"([{"name": "g5"}])"}}));
  ASSERT_EQ(r.config.channel.namespaces.size(), 1u);
  EXPECT_EQ(r.config.channel.namespaces[0].name, "g5");

  EXPECT_EQ(ErrorOf(kFile, Env({{"CENTRIFUGO_CHANNEL_NAMESPACES", "[{"}})),
            "environment variable CENTRIFUGO_CHANNEL_NAMESPACES: expected JSON array of namespace "
            "objects: incomplete JSON");
  EXPECT_EQ(ErrorOf(kFile, Env({{"CENTRIFUGO_NAMESPACES", R"([{"name": "a", "presence": 3}])"}})),
            R"(config key "channel.namespaces[a].presence": expected boolean, got number 3 )"
            "(from environment variable CENTRIFUGO_NAMESPACES)");
}

TEST(EnvTest, PerNamespaceOptionOverrides) {
  constexpr std::string_view kFile = R"({"channel": {"namespaces": [
      {"name": "chat-room"}, {"name": "chat"}, {"name": "a.b"}]}})";
  auto r = MustLoad(kFile, Env({{"CENTRIFUGO_CHANNEL_NAMESPACES_CHAT_ROOM_PRESENCE", "true"},
                                {"CENTRIFUGO_CHANNEL_NAMESPACES_CHAT_HISTORY_SIZE", "5"},
                                {"GYRE_CHANNEL_NAMESPACES_A_B_JOIN_LEAVE", "1"},
                                {"CENTRIFUGO_CHANNEL_NAMESPACES_MISSING_PRESENCE", "1"}}));
  EXPECT_TRUE(FindNamespace(r.config, "chat-room")->presence);
  EXPECT_FALSE(FindNamespace(r.config, "chat")->presence);
  EXPECT_EQ(FindNamespace(r.config, "chat")->history_size, 5);
  EXPECT_TRUE(FindNamespace(r.config, "a.b")->join_leave);
  EXPECT_EQ(
      r.warnings,
      (std::vector<std::string>{
          R"(unknown environment variable: "CENTRIFUGO_CHANNEL_NAMESPACES_MISSING_PRESENCE")"}));
  EXPECT_EQ(ErrorOf(kFile, Env({{"CENTRIFUGO_CHANNEL_NAMESPACES_CHAT_HISTORY_SIZE", "x"}})),
            "environment variable CENTRIFUGO_CHANNEL_NAMESPACES_CHAT_HISTORY_SIZE (config key "
            R"("channel.namespaces[chat].history_size"): expected integer, got "x")");
}

TEST(FlagsTest, FlagsOverrideEnvAndFile) {
  const Config c =
      MustLoad(
          R"({"port": 8001, "log_level": "warn"})",
          Flags({{"http_server.port", "8003"},
                 {"log.level", "debug"},
                 {"engine.type", "redis"},
                 {"admin.enabled", ""},
                 {"client.insecure", "true"},
                 {"http_api.insecure", "1"},
                 {"health.enabled", "true"}},
                {{"CENTRIFUGO_HTTP_SERVER_PORT", "8002"}, {"CENTRIFUGO_ENGINE_TYPE", "memory"}}))
          .config;
  EXPECT_EQ(c.http_server.port, 8003);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.engine.type, "redis");
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_TRUE(c.client.insecure);
  EXPECT_TRUE(c.http_api.insecure);
  EXPECT_TRUE(c.health.enabled);
}

TEST(FlagsTest, V5FlagNamesAndV6Wins) {
  const Config c = MustLoad("{}", Flags({{"port", "8100"},
                                         {"engine", "redis"},
                                         {"admin", "true"},
                                         {"api_insecure", "true"},
                                         {"address", "127.0.0.1"}}))
                       .config;
  EXPECT_EQ(c.http_server.port, 8100);
  EXPECT_EQ(c.engine.type, "redis");
  EXPECT_TRUE(c.admin.enabled);
  EXPECT_TRUE(c.http_api.insecure);
  EXPECT_EQ(c.http_server.address, "127.0.0.1");
  EXPECT_EQ(MustLoad("{}", Flags({{"port", "8100"}, {"http_server.port", "8200"}}))
                .config.http_server.port,
            8200);
  EXPECT_EQ(MustLoad("{}", Flags({{"channel.without_namespace.presence", "true"},
                                  {"channel.namespaces", R"([{"name": "x1"}])"}}))
                .config.channel.namespaces[0]
                .name,
            "x1");
}

TEST(FlagsTest, Errors) {
  EXPECT_EQ(ErrorOf("{}", Flags({{"http_server.port", "http"}})),
            R"(flag --http_server.port: expected port number 1..65535, got "http")");
  EXPECT_EQ(ErrorOf("{}", Flags({{"no.such", "1"}})), "unknown flag --no.such");
}

}  // namespace
}  // namespace gyre::config
