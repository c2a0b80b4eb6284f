#include <gtest/gtest.h>

#include "config/loader.h"
#include "config_test_util.h"

namespace gyre::config {
namespace {

using namespace std::chrono_literals;
using test_util::MustLoad;
using test_util::ValidateError;

std::string ValidateJson(std::string_view json) {
  return ValidateError(MustLoad(json).config);
}

TEST(ValidateTest, HistorySizeAndTtlTogether) {
  EXPECT_EQ(
      ValidateJson(R"({"channel": {"namespaces": [{"name": "chat", "history_size": 10}]}})"),
      R"(config key "channel.namespaces[chat].history_ttl": must be set when history_size is set)");
  EXPECT_EQ(
      ValidateJson(R"({"history_ttl": "10s"})"),
      R"(config key "channel.without_namespace.history_size": must be set when history_ttl is set)");
  EXPECT_EQ(
      ValidateJson(R"({"history_ttl": "800h", "history_size": 1})"),
      R"(config key "channel.without_namespace.history_ttl": must not be greater than history_meta_ttl (2592000s))");
  EXPECT_TRUE(Validate(MustLoad(R"({"history_ttl": "800h", "history_size": 1,
                                    "history_meta_ttl": "900h"})")
                           .config)
                  .ok());
  Config c;
  c.channel.without_namespace.history_size = -1;
  EXPECT_EQ(ValidateError(c),
            R"(config key "channel.without_namespace.history_size": must not be negative)");
}

TEST(ValidateTest, RecoveryAndPositioningNeedHistory) {
  for (std::string option :
       {"force_recovery", "allow_recovery", "force_positioning", "allow_positioning"}) {
    EXPECT_EQ(ValidateJson(R"({"namespaces": [{"name": "ns", ")" + option + R"(": true}]})"),
              R"(config key "channel.namespaces[ns].)" + option +
                  R"(": requires history (history_size and history_ttl))");
  }
  EXPECT_TRUE(Validate(MustLoad(R"({"namespaces": [{"name": "ns", "force_recovery": true,
      "history_size": 1, "history_ttl": "1s"}]})")
                           .config)
                  .ok());
}

TEST(ValidateTest, EnumeratedOptionValues) {
  EXPECT_EQ(
      ValidateJson(R"({"force_recovery_mode": "fast"})"),
      R"(config key "channel.without_namespace.force_recovery_mode": unknown value "fast", expected "stream" or "cache")");
  EXPECT_EQ(
      ValidateJson(R"({"allowed_delta_types": ["fossil", "xdelta"]})"),
      R"(config key "channel.without_namespace.allowed_delta_types": unknown delta type "xdelta", expected "fossil")");
  EXPECT_EQ(
      ValidateJson(R"({"namespaces": [{"name": "ns", "publication_data_format": "xml"}]})"),
      R"(config key "channel.namespaces[ns].publication_data_format": unknown value "xml", expected "json", "json_object" or "binary")");
  EXPECT_TRUE(Validate(MustLoad(R"({"force_recovery_mode": "cache", "allowed_delta_types":
      ["fossil"], "publication_data_format": "json_object"})")
                           .config)
                  .ok());
}

TEST(ValidateTest, ChannelRegexMustCompile) {
  std::string error = ValidateJson(R"({"namespaces": [{"name": "ns", "channel_regex": "^[a-"}]})");
  EXPECT_TRUE(error.starts_with(
      R"(config key "channel.namespaces[ns].channel_regex": invalid regular expression: )"))
      << error;
  EXPECT_TRUE(Validate(MustLoad(R"({"channel_regex": "^[a-z]+$"})").config).ok());
}

TEST(ValidateTest, NamespaceNames) {
  EXPECT_EQ(
      ValidateJson(R"({"namespaces": [{"name": "ok"}, {"name": "a"}]})"),
      R"(config key "channel.namespaces[1].name": invalid namespace name "a", must match ^[-a-zA-Z0-9_.]{2,}$)");
  EXPECT_EQ(
      ValidateJson(R"({"namespaces": [{"name": "bad name"}]})"),
      R"(config key "channel.namespaces[0].name": invalid namespace name "bad name", must match ^[-a-zA-Z0-9_.]{2,}$)");
  EXPECT_EQ(ValidateJson(R"({"namespaces": [{"name": "chat"}, {"name": "chat"}]})"),
            R"(config key "channel.namespaces[1].name": duplicate namespace name "chat")");
  EXPECT_TRUE(
      Validate(MustLoad(R"({"namespaces": [{"name": "a.b-c_d"}, {"name": "42"}]})").config).ok());
}

TEST(ValidateTest, PingMustExceedPong) {
  EXPECT_EQ(ValidateJson(R"({"ping_interval": "5s", "pong_timeout": "5s"})"),
            R"(config key "client.ping_interval": must be greater than client.pong_timeout)");
  EXPECT_TRUE(Validate(MustLoad(R"({"ping_interval": "6s", "pong_timeout": "5s"})").config).ok());
}

TEST(ValidateTest, NonNegativeLimits) {
  EXPECT_EQ(ValidateJson(R"({"client": {"channel_limit": -1}})"),
            R"(config key "client.channel_limit": must not be negative)");
  EXPECT_EQ(ValidateJson(R"({"client_connection_limit": -5})"),
            R"(config key "client.connection_limit": must not be negative)");
  EXPECT_EQ(ValidateJson(R"({"workers": -2})"), R"(config key "workers": must not be negative)");
  EXPECT_EQ(ValidateJson(R"({"websocket": {"message_size_limit": -1}})"),
            R"(config key "websocket.message_size_limit": must not be negative)");
}

TEST(ValidateTest, EngineLogLevelAndErrorMode) {
  EXPECT_EQ(
      ValidateJson(R"({"engine": "tarantool"})"),
      R"(config key "engine.type": unknown engine "tarantool", expected "memory" or "redis")");
  EXPECT_EQ(
      ValidateJson(R"({"log": {"level": "verbose"}})"),
      R"(config key "log.level": unknown level "verbose", expected one of trace, debug, info, warn, error, none)");
  EXPECT_EQ(ValidateJson(R"({"api_error_mode": "json"})"),
            R"(config key "http_api.error_mode": unknown value "json", expected "transport")");
  for (std::string level : {"trace", "debug", "info", "warn", "error", "none"}) {
    EXPECT_TRUE(Validate(MustLoad(R"({"log_level": ")" + level + R"("})").config).ok());
  }
}

TEST(ValidateTest, PortsOfHandBuiltConfig) {
  Config c;
  c.http_server.port = 0;
  EXPECT_EQ(ValidateError(c), R"(config key "http_server.port": expected port number 1..65535)");
  c = Config{};
  c.http_server.internal_port = 70000;
  EXPECT_EQ(ValidateError(c),
            R"(config key "http_server.internal_port": expected port number 0..65535)");
}

TEST(ValidateTest, TokenRegexesAndPersonalNamespace) {
  std::string error = ValidateJson(R"({"token_audience_regex": "("})");
  EXPECT_TRUE(error.starts_with(
      R"(config key "client.token.audience_regex": invalid regular expression: )"))
      << error;
  EXPECT_EQ(
      ValidateJson(R"({"user_subscribe_to_personal": true,
                             "user_personal_channel_namespace": "personal"})"),
      R"(config key "client.subscribe_to_user_personal_channel.personal_channel_namespace": namespace "personal" not found)");
  EXPECT_EQ(ValidateJson(R"({"channel": {"user_boundary": ""}})"),
            R"(config key "channel.user_boundary": must not be empty)");
}

}  // namespace
}  // namespace gyre::config
