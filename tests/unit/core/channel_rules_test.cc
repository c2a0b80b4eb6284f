// Channel names and namespaces (spec §5.1).
#include "core/channel_rules.h"

#include <gtest/gtest.h>

#include "core/core_test_util.h"

namespace gyre::core {
namespace {

config::Config RulesConfig() {
  config::Config c = testing::BaseConfig();
  c.channel.without_namespace.allow_user_limited_channels = true;
  testing::AddNamespace(c, "chat");
  auto& dialog = testing::AddNamespace(c, "dialog");
  dialog.allow_user_limited_channels = true;
  testing::AddNamespace(c, "strict").channel_regex = "^[a-z]+-[0-9]+$";
  return c;
}

class ChannelRulesTest : public ::testing::Test {
 protected:
  ChannelRulesTest() : config_(RulesConfig()), rules_(config_) {}
  const config::ChannelOptions* Ns(size_t i) const {
    return &config_.channel.namespaces[i].options;
  }

  config::Config config_;
  ChannelRules rules_;
};

TEST_F(ChannelRulesTest, WithoutNamespace) {
  auto r = rules_.Resolve("news");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->options, &config_.channel.without_namespace);
  EXPECT_EQ(r->namespace_name, "");
  EXPECT_FALSE(r->is_private);
  EXPECT_FALSE(r->user_limited);
}

TEST_F(ChannelRulesTest, NamespaceIsTextBeforeTheFirstBoundary) {
  auto r = rules_.Resolve("chat:room");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->options, Ns(0));
  EXPECT_EQ(r->namespace_name, "chat");
  r = rules_.Resolve("chat:room:with:colons");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->options, Ns(0));
  r = rules_.Resolve("dialog:x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->options, Ns(1));
}

TEST_F(ChannelRulesTest, UnknownNamespaceIs102) {
  for (std::string_view ch : {"nope:x", "$nope:x", "Chat:room", "chat2:room"}) {
    auto r = rules_.Resolve(ch);
    ASSERT_FALSE(r.ok()) << ch;
    EXPECT_EQ(r.error(), errors::UnknownChannel()) << ch;
  }
}

TEST_F(ChannelRulesTest, PrivatePrefix) {
  auto r = rules_.Resolve("$chat:room");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_private);
  EXPECT_EQ(r->namespace_name, "chat");
  EXPECT_EQ(r->options, Ns(0));
  r = rules_.Resolve("$secret");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_private);
  EXPECT_EQ(r->options, &config_.channel.without_namespace);
  // Only a prefix counts.
  r = rules_.Resolve("chat:$room");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->is_private);
}

TEST_F(ChannelRulesTest, CustomBoundaries) {
  config::Config c = RulesConfig();
  c.channel.private_prefix = "private-";
  c.channel.namespace_boundary = "/";
  c.channel.user_boundary = "@";
  c.channel.user_separator = ";";
  ChannelRules rules(c);
  auto r = rules.Resolve("private-chat/room");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_private);
  EXPECT_EQ(r->namespace_name, "chat");
  r = rules.Resolve("chat:room");  // ':' is ordinary now
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->namespace_name, "");
  r = rules.Resolve("dialog/x@1;2");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->user_limited);
  EXPECT_TRUE(rules.UserAllowed("dialog/x@1;2", "2"));
  EXPECT_FALSE(rules.UserAllowed("dialog/x@1;2", "1;2"));
}

TEST_F(ChannelRulesTest, UserLimitedChannels) {
  auto r = rules_.Resolve("dialog#42,43");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->user_limited);
  EXPECT_EQ(r->options, &config_.channel.without_namespace);
  r = rules_.Resolve("dialog:#42,43");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->user_limited);
  EXPECT_EQ(r->options, Ns(1));
  // A namespace without the option treats '#' as an ordinary character.
  r = rules_.Resolve("chat:dialog#42,43");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->user_limited);

  EXPECT_TRUE(rules_.UserAllowed("dialog#42,43", "42"));
  EXPECT_TRUE(rules_.UserAllowed("dialog#42,43", "43"));
  EXPECT_FALSE(rules_.UserAllowed("dialog#42,43", "44"));
  EXPECT_FALSE(rules_.UserAllowed("dialog#42,43", "4"));
  EXPECT_FALSE(rules_.UserAllowed("dialog#42,43", "42,43"));
  EXPECT_FALSE(rules_.UserAllowed("dialog#42,43", ""));
  EXPECT_TRUE(rules_.UserAllowed("solo#42", "42"));
  // Users come after the last boundary.
  EXPECT_TRUE(rules_.UserAllowed("a#1#2,3", "2"));
  EXPECT_FALSE(rules_.UserAllowed("a#1#2,3", "1"));
  EXPECT_FALSE(rules_.UserAllowed("nobody", "42"));
  // An empty entry matches only the anonymous user.
  EXPECT_TRUE(rules_.UserAllowed("dialog#42,", ""));
}

TEST_F(ChannelRulesTest, ValidNameAsciiOnly) {
  auto info = rules_.Resolve("chat:room");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(rules_.ValidName("chat:room-1_2.3", *info));
  EXPECT_TRUE(rules_.ValidName("chat:room with spaces", *info));
  EXPECT_FALSE(rules_.ValidName("chat:caf\xC3\xA9", *info));
  EXPECT_FALSE(rules_.ValidName("chat:\x80", *info));
}

TEST_F(ChannelRulesTest, ValidNameWithChannelRegex) {
  auto info = rules_.Resolve("strict:abc-1");
  ASSERT_TRUE(info.ok());
  // The regex applies to the part after "ns:".
  EXPECT_TRUE(rules_.ValidName("strict:abc-1", *info));
  EXPECT_FALSE(rules_.ValidName("strict:abc", *info));
  EXPECT_FALSE(rules_.ValidName("strict:ABC-1", *info));
  EXPECT_FALSE(rules_.ValidName("strict:abc-1x", *info));
  auto priv = rules_.Resolve("$strict:abc-1");
  ASSERT_TRUE(priv.ok());
  EXPECT_TRUE(rules_.ValidName("$strict:abc-1", *priv));
  EXPECT_FALSE(rules_.ValidName("$strict:abc-", *priv));
}

TEST_F(ChannelRulesTest, ValidNameWithRegexWithoutNamespace) {
  config::Config c = RulesConfig();
  c.channel.without_namespace.channel_regex = "^[0-9]+$";
  ChannelRules rules(c);
  auto info = rules.Resolve("123");
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(rules.ValidName("123", *info));
  EXPECT_FALSE(rules.ValidName("12a", *info));
  // Namespaces without a regex keep the ASCII rule.
  auto chat = rules.Resolve("chat:x");
  ASSERT_TRUE(chat.ok());
  EXPECT_TRUE(rules.ValidName("chat:x", *chat));
}

TEST_F(ChannelRulesTest, MaxLength) {
  EXPECT_EQ(rules_.max_length(), 255u);
  config::Config c = RulesConfig();
  c.channel.max_length = 10;
  EXPECT_EQ(ChannelRules(c).max_length(), 10u);
}

}  // namespace
}  // namespace gyre::core
