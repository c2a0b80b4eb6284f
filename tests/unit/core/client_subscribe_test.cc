// Subscribe permissions and validation (spec §4.1, §4.2), unsubscribe.
#include <gtest/gtest.h>

#include "core/client.h"
#include "core/core_test_util.h"

namespace gyre::core {
namespace {

using testing::Conn;
using testing::ErrorReply;
using testing::Field;
using testing::Harness;

constexpr std::string_view kOk = R"({"id":2,"subscribe":{}})";

config::Config SubscribeConfig() {
  config::Config c = testing::BaseConfig();
  // Channels without namespace: no client subscribe, but user-limited channels.
  c.channel.without_namespace.allow_user_limited_channels = true;
  auto& chat = testing::AddNamespace(c, "chat");
  chat.allow_subscribe_for_client = true;
  auto& open = testing::AddNamespace(c, "open");
  open.allow_subscribe_for_client = true;
  open.allow_subscribe_for_anonymous = true;
  auto& strict = testing::AddNamespace(c, "strict");
  strict.allow_subscribe_for_client = true;
  strict.channel_regex = "^[a-z0-9]+$";
  testing::AddNamespace(c, "closed");
  return c;
}

class ClientSubscribe : public ::testing::Test {
 protected:
  ClientSubscribe() : h_(SubscribeConfig()) {}
  Harness h_;
};

TEST_F(ClientSubscribe, AllowSubscribeForClient) {
  Conn& c = h_.Connected("42");
  EXPECT_EQ(Harness::Subscribe(c, 2, "chat:1"), kOk);
  EXPECT_EQ(h_.node().Stats().num_subs, 1u);
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientSubscribe, NamespaceWithoutPermissionIs103) {
  Conn& c = h_.Connected("42");
  EXPECT_EQ(Harness::Subscribe(c, 2, "news"), ErrorReply(2, errors::PermissionDenied()));
  EXPECT_EQ(Harness::Subscribe(c, 3, "closed:1"), ErrorReply(3, errors::PermissionDenied()));
  EXPECT_EQ(h_.node().Stats().num_subs, 0u);
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientSubscribe, InsecureAllowsEverything) {
  config::Config cfg = SubscribeConfig();
  cfg.client.insecure = true;
  Harness h(cfg);
  Conn& c = h.Connected("42");
  EXPECT_EQ(Harness::Subscribe(c, 2, "news"), kOk);
  EXPECT_EQ(Harness::Subscribe(c, 3, "closed:1"), R"({"id":3,"subscribe":{}})");
}

TEST_F(ClientSubscribe, UnknownNamespaceIs102) {
  Conn& c = h_.Connected("42");
  EXPECT_EQ(Harness::Subscribe(c, 2, "nope:1"), ErrorReply(2, errors::UnknownChannel()));
  EXPECT_EQ(Harness::Subscribe(c, 3, "$nope:1"), ErrorReply(3, errors::UnknownChannel()));
}

TEST_F(ClientSubscribe, AlreadySubscribedIs105) {
  Conn& c = h_.Connected("42");
  EXPECT_EQ(Harness::Subscribe(c, 2, "chat:1"), kOk);
  EXPECT_EQ(Harness::Subscribe(c, 3, "chat:1"), ErrorReply(3, errors::AlreadySubscribed()));
  EXPECT_EQ(h_.node().Stats().num_subs, 1u);
}

TEST_F(ClientSubscribe, ChannelLimitIs106) {
  config::Config cfg = SubscribeConfig();
  cfg.client.channel_limit = 2;
  Harness h(cfg);
  Conn& c = h.Connected("42");
  EXPECT_EQ(Harness::Subscribe(c, 2, "chat:1"), kOk);
  EXPECT_EQ(Harness::Subscribe(c, 3, "chat:2"), R"({"id":3,"subscribe":{}})");
  EXPECT_EQ(Harness::Subscribe(c, 4, "chat:3"), ErrorReply(4, errors::LimitExceeded()));
  // Leaving one frees a slot.
  c.Send(R"({"id":5,"unsubscribe":{"channel":"chat:1"}})");
  EXPECT_EQ(c.TakeOne(), R"({"id":5,"unsubscribe":{}})");
  EXPECT_EQ(Harness::Subscribe(c, 6, "chat:3"), R"({"id":6,"subscribe":{}})");
}

TEST_F(ClientSubscribe, PrivateChannelWithoutTokenIs103) {
  Conn& c = h_.Connected("42");
  // Even in a namespace that allows client subscribe.
  EXPECT_EQ(Harness::Subscribe(c, 2, "$chat:secret"), ErrorReply(2, errors::PermissionDenied()));
  EXPECT_EQ(Harness::Subscribe(c, 3, "$secret"), ErrorReply(3, errors::PermissionDenied()));
  EXPECT_EQ(h_.node().Stats().num_subs, 0u);
}

TEST_F(ClientSubscribe, PrivateChannelWithSubscriptionToken) {
  Conn& c = h_.Connected("42");
  std::string token = Harness::SubToken("42", "$secret", R"("info":{"role":"admin"})");
  std::string reply = Harness::Subscribe(c, 2, "$secret", "\"token\":\"" + token + "\"");
  EXPECT_EQ(testing::IntField(reply, "id"), 2);
  EXPECT_EQ(Field(reply, "subscribe.expires"), "true") << reply;
  EXPECT_GE(testing::IntField(reply, "subscribe.ttl"), 3590);
  EXPECT_LE(testing::IntField(reply, "subscribe.ttl"), 3600);
  EXPECT_EQ(Field(reply, "error"), "");
  EXPECT_EQ(h_.node().Stats().num_subs, 1u);
}

TEST_F(ClientSubscribe, SubscriptionTokenForAnotherChannelIs3500) {
  Conn& c = h_.Connected("42");
  std::string token = Harness::SubToken("42", "$other");
  c.Send(R"({"id":2,"subscribe":{"channel":"$secret","token":")" + token + "\"}}");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::InvalidToken());
}

TEST_F(ClientSubscribe, SubscriptionTokenForAnotherUserIs3500) {
  Conn& c = h_.Connected("42");
  std::string token = Harness::SubToken("43", "$secret");
  c.Send(R"({"id":2,"subscribe":{"channel":"$secret","token":")" + token + "\"}}");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::InvalidToken());
}

TEST_F(ClientSubscribe, ExpiredSubscriptionTokenIs109) {
  Conn& c = h_.Connected("42");
  std::string token = auth::SignHs256(
      R"({"sub":"42","channel":"$secret","exp":)" + std::to_string(UnixSeconds() - 120) + "}",
      testing::kSecret);
  EXPECT_EQ(Harness::Subscribe(c, 2, "$secret", "\"token\":\"" + token + "\""),
            ErrorReply(2, errors::TokenExpired()));
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientSubscribe, ForgedSubscriptionTokenIs103) {
  Conn& c = h_.Connected("42");
  std::string token = auth::SignHs256(R"({"sub":"42","channel":"$secret"})", "wrong");
  EXPECT_EQ(Harness::Subscribe(c, 2, "$secret", "\"token\":\"" + token + "\""),
            ErrorReply(2, errors::PermissionDenied()));
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientSubscribe, UserLimitedChannels) {
  Conn& a = h_.Connected("42");
  Conn& b = h_.Connected("43");
  Conn& stranger = h_.Connected("44");
  EXPECT_EQ(Harness::Subscribe(a, 2, "dialog#42,43"), kOk);
  EXPECT_EQ(Harness::Subscribe(b, 2, "dialog#42,43"), kOk);
  EXPECT_EQ(Harness::Subscribe(stranger, 2, "dialog#42,43"),
            ErrorReply(2, errors::PermissionDenied()));
  // A prefix or suffix of a listed user is not that user.
  Conn& four = h_.Connected("4");
  EXPECT_EQ(Harness::Subscribe(four, 2, "dialog#42,43"), ErrorReply(2, errors::PermissionDenied()));
  EXPECT_EQ(Harness::Subscribe(a, 3, "solo#42"), R"({"id":3,"subscribe":{}})");
}

TEST_F(ClientSubscribe, UserLimitedChannelsNeedTheNamespaceOption) {
  // "chat" allows client subscribe but not user-limited channels: '#' is an ordinary character.
  Conn& stranger = h_.Connected("44");
  EXPECT_EQ(Harness::Subscribe(stranger, 2, "chat:dialog#42,43"), kOk);
}

TEST_F(ClientSubscribe, AnonymousNeedsAllowSubscribeForAnonymous) {
  config::Config cfg = SubscribeConfig();
  cfg.client.allow_anonymous_connect_without_token = true;
  Harness h(cfg);
  Conn& c = h.NewConn();
  c.Send(R"({"id":1,"connect":{}})");
  c.Take();
  ASSERT_TRUE(c.client->connected());
  EXPECT_EQ(Harness::Subscribe(c, 2, "chat:1"), ErrorReply(2, errors::PermissionDenied()));
  EXPECT_EQ(Harness::Subscribe(c, 3, "open:1"), R"({"id":3,"subscribe":{}})");
}

TEST_F(ClientSubscribe, ChannelNameValidation) {
  Conn& c = h_.Connected("42");
  EXPECT_EQ(Harness::Subscribe(c, 2, "chat:" + std::string(250, 'x')), kOk);  // 255 in total
  EXPECT_EQ(Harness::Subscribe(c, 3, "chat:" + std::string(251, 'x')),
            ErrorReply(3, errors::BadRequest()));
  EXPECT_EQ(Harness::Subscribe(c, 4, "chat:caf\xC3\xA9"), ErrorReply(4, errors::BadRequest()));
  // channel_regex applies to the part after "ns:".
  EXPECT_EQ(Harness::Subscribe(c, 5, "strict:abc123"), R"({"id":5,"subscribe":{}})");
  EXPECT_EQ(Harness::Subscribe(c, 6, "strict:ABC"), ErrorReply(6, errors::BadRequest()));
  EXPECT_EQ(Harness::Subscribe(c, 7, "strict:a-b"), ErrorReply(7, errors::BadRequest()));
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientSubscribe, EmptyChannelIsDisconnect3501) {
  Conn& c = h_.Connected("42");
  c.Send(R"({"id":2,"subscribe":{"channel":""}})");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::BadRequest());
}

TEST_F(ClientSubscribe, UnknownDeltaTypeIsDisconnect3501) {
  Conn& c = h_.Connected("42");
  c.Send(R"({"id":2,"subscribe":{"channel":"chat:1","delta":"xdelta"}})");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::BadRequest());
}

TEST_F(ClientSubscribe, UnsubscribeStopsDelivery) {
  Conn& c = h_.Connected("42");
  Harness::Subscribe(c, 2, "chat:1");
  c.Send(R"({"id":3,"unsubscribe":{"channel":"chat:1"}})");
  EXPECT_EQ(c.TakeOne(), R"({"id":3,"unsubscribe":{}})");
  EXPECT_EQ(h_.node().Stats().num_subs, 0u);
  h_.Publish("chat:1", "{}");
  h_.RunAll();
  EXPECT_TRUE(c.Take().empty());
  // Unsubscribing from a channel one is not in is answered all the same.
  c.Send(R"({"id":4,"unsubscribe":{"channel":"chat:nothing"}})");
  EXPECT_EQ(c.TakeOne(), R"({"id":4,"unsubscribe":{}})");
  // And the channel can be subscribed to again.
  EXPECT_EQ(Harness::Subscribe(c, 5, "chat:1"), R"({"id":5,"subscribe":{}})");
}

TEST_F(ClientSubscribe, EmptyUnsubscribeChannelIsDisconnect3501) {
  Conn& c = h_.Connected("42");
  c.Send(R"({"id":2,"unsubscribe":{"channel":""}})");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::BadRequest());
}

TEST_F(ClientSubscribe, ServerSubscribeAndUnsubscribePushes) {
  Conn& c = h_.Connected("42");
  auto info = h_.node().rules().Resolve("chat:srv");
  ASSERT_TRUE(info.ok());
  SubscribeParams p;
  p.channel = "chat:srv";
  p.info = *info;
  c.client->ServerSubscribe(p);
  EXPECT_EQ(c.TakeOne(), R"({"push":{"channel":"chat:srv","subscribe":{}}})");
  h_.Publish("chat:srv", "1");
  h_.RunAll();
  EXPECT_EQ(c.TakeOne(), R"({"push":{"channel":"chat:srv","pub":{"data":1}}})");
  c.client->ServerUnsubscribe("chat:srv");
  EXPECT_EQ(
      c.TakeOne(),
      R"({"push":{"channel":"chat:srv","unsubscribe":{"code":2000,"reason":"server unsubscribe"}}})");
  EXPECT_EQ(h_.node().Stats().num_subs, 0u);
}

}  // namespace
}  // namespace gyre::core
