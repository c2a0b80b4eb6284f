// Publish, history and recovery, presence (spec §4.5, §4.8).
#include <gtest/gtest.h>

#include "core/client.h"
#include "core/core_test_util.h"

namespace gyre::core {
namespace {

using testing::ArrayField;
using testing::Conn;
using testing::ErrorReply;
using testing::Field;
using testing::Harness;
using testing::IntField;
using testing::StringField;

config::Config CommandsConfig() {
  config::Config c = testing::BaseConfig();
  auto& chat = testing::AddNamespace(c, "chat");
  chat.allow_subscribe_for_client = true;
  auto& pub = testing::AddNamespace(c, "pub");
  pub.allow_subscribe_for_client = true;
  pub.allow_publish_for_client = true;
  auto& subpub = testing::AddNamespace(c, "subpub");
  subpub.allow_subscribe_for_client = true;
  subpub.allow_publish_for_subscriber = true;
  auto& jpub = testing::AddNamespace(c, "jpub");
  jpub.allow_publish_for_client = true;
  jpub.publication_data_format = "json_object";
  auto& hist = testing::AddNamespace(c, "hist");
  hist.allow_subscribe_for_client = true;
  hist.history_size = 10;
  hist.history_ttl = std::chrono::seconds(300);
  hist.force_recovery = true;
  hist.allow_history_for_subscriber = true;
  auto& room = testing::AddNamespace(c, "room");
  room.allow_subscribe_for_client = true;
  room.presence = true;
  room.allow_presence_for_subscriber = true;
  return c;
}

class ClientCommands : public ::testing::Test {
 protected:
  ClientCommands() : h_(CommandsConfig()) {}

  // Offsets of the publications in an array member.
  static std::vector<int64_t> Offsets(std::string_view reply, std::string_view path) {
    std::vector<int64_t> out;
    for (const auto& p : ArrayField(reply, path)) out.push_back(IntField(p, "offset"));
    return out;
  }

  Harness h_;
};

// --- Publish --------------------------------------------------------------------------------

TEST_F(ClientCommands, PublishRefusedWithoutPermission) {
  Conn& c = h_.Connected("42");
  Harness::Subscribe(c, 2, "chat:1");
  c.Send(R"({"id":3,"publish":{"channel":"chat:1","data":{"t":1}}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(3, errors::PermissionDenied()));
  h_.RunAll();
  EXPECT_TRUE(c.Take().empty());  // nothing was published
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientCommands, PublishAllowedForClient) {
  Conn& reader = h_.Connected("reader");
  Harness::Subscribe(reader, 2, "pub:1");
  Conn& writer = h_.Connected("writer");
  writer.Send(R"({"id":3,"publish":{"channel":"pub:1","data":{"t":1}}})");
  EXPECT_EQ(writer.TakeOne(), R"({"id":3,"publish":{}})");
  h_.RunAll();
  std::string push = reader.TakeOne();
  EXPECT_EQ(StringField(push, "push.channel"), "pub:1");
  EXPECT_EQ(Field(push, "push.pub.data"), R"({"t":1})");
  // Client publications carry the publisher's info.
  EXPECT_EQ(StringField(push, "push.pub.info.user"), "writer");
  EXPECT_EQ(StringField(push, "push.pub.info.client"), writer.client->id());
}

TEST_F(ClientCommands, PublishAllowedForSubscriberOnly) {
  Conn& c = h_.Connected("42");
  c.Send(R"({"id":2,"publish":{"channel":"subpub:1","data":{}}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(2, errors::PermissionDenied()));
  Harness::Subscribe(c, 3, "subpub:1");
  c.Send(R"({"id":4,"publish":{"channel":"subpub:1","data":{}}})");
  EXPECT_EQ(c.TakeOne(), R"({"id":4,"publish":{}})");
  h_.RunAll();
  EXPECT_EQ(StringField(c.TakeOne(), "push.pub.info.user"), "42");
}

TEST_F(ClientCommands, PublishValidation) {
  Conn& c = h_.Connected("42");
  c.Send(R"({"id":2,"publish":{"channel":"nope:1","data":{}}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(2, errors::UnknownChannel()));
  c.Send(R"({"id":3,"publish":{"channel":"pub:1"}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(3, errors::BadRequest()));
  c.Send(R"({"id":4,"publish":{"channel":"jpub:1","data":[1]}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(4, errors::BadRequest()));
  c.Send(R"({"id":5,"publish":{"channel":"jpub:1","data":{"ok":true}}})");
  EXPECT_EQ(c.TakeOne(), R"({"id":5,"publish":{}})");
  c.Send(R"({"id":6,"publish":{"channel":"","data":{}}})");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::BadRequest());
}

// --- History and recovery -------------------------------------------------------------------

class ClientRecovery : public ClientCommands {
 protected:
  // Publishes 5 and reads the epoch from a plain subscription.
  void SetUp() override {
    for (int i = 1; i <= 5; ++i) {
      StreamPosition pos = h_.Publish("hist:1", "{\"n\":" + std::to_string(i) + "}");
      EXPECT_EQ(pos.offset, static_cast<uint64_t>(i));
      epoch_ = pos.epoch;
    }
    EXPECT_EQ(epoch_.size(), 8u);
  }

  std::string Recover(Conn& c, uint32_t id, uint64_t offset, std::string_view epoch,
                      std::string_view extra = "") {
    std::string fields = "\"recover\":true,\"offset\":" + std::to_string(offset) + ",\"epoch\":\"" +
                         std::string(epoch) + "\"";
    if (!extra.empty()) fields += "," + std::string(extra);
    return Harness::Subscribe(c, id, "hist:1", fields);
  }

  std::string epoch_;
};

TEST_F(ClientRecovery, SubscribeReportsStreamPosition) {
  Conn& c = h_.Connected("42");
  std::string reply = Harness::Subscribe(c, 2, "hist:1");
  EXPECT_EQ(reply, R"({"id":2,"subscribe":{"recoverable":true,"epoch":")" + epoch_ +
                       R"(","offset":5,"positioned":true}})");
}

TEST_F(ClientRecovery, RecoversMissedPublications) {
  Conn& c = h_.Connected("42");
  std::string reply = Recover(c, 2, 2, epoch_);
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "true") << reply;
  EXPECT_EQ(Field(reply, "subscribe.was_recovering"), "true");
  EXPECT_EQ(Field(reply, "subscribe.recoverable"), "true");
  EXPECT_EQ(Field(reply, "subscribe.positioned"), "true");
  EXPECT_EQ(StringField(reply, "subscribe.epoch"), epoch_);
  // On success `offset` is the one the client sent; it advances over the publications.
  EXPECT_EQ(IntField(reply, "subscribe.offset"), 2);
  EXPECT_EQ(Offsets(reply, "subscribe.publications"), (std::vector<int64_t>{3, 4, 5}));
  auto pubs = ArrayField(reply, "subscribe.publications");
  ASSERT_EQ(pubs.size(), 3u);
  EXPECT_EQ(Field(pubs[0], "data"), R"({"n":3})");
  EXPECT_EQ(Field(pubs[2], "data"), R"({"n":5})");
  EXPECT_EQ(Field(pubs[0], "time"), "");  // never sent to clients

  // Live publications continue from the top.
  h_.Publish("hist:1", R"({"n":6})");
  h_.RunAll();
  std::string push = c.TakeOne();
  EXPECT_EQ(IntField(push, "push.pub.offset"), 6);
  EXPECT_EQ(Field(push, "push.pub.data"), R"({"n":6})");
}

TEST_F(ClientRecovery, RecoverWithEmptyEpochIsAccepted) {
  Conn& c = h_.Connected("42");
  std::string reply = Recover(c, 2, 3, "");
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "true") << reply;
  EXPECT_EQ(Offsets(reply, "subscribe.publications"), (std::vector<int64_t>{4, 5}));
}

TEST_F(ClientRecovery, RecoverAtTopHasNothingToSend) {
  Conn& c = h_.Connected("42");
  std::string reply = Recover(c, 2, 5, epoch_);
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "true") << reply;
  EXPECT_EQ(Field(reply, "subscribe.publications"), "");
  EXPECT_EQ(IntField(reply, "subscribe.offset"), 5);
}

TEST_F(ClientRecovery, WrongEpochIsNotRecovered) {
  Conn& c = h_.Connected("42");
  std::string reply = Recover(c, 2, 2, "wrongEpc");
  EXPECT_EQ(Field(reply, "error"), "") << reply;
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "");  // false is omitted
  EXPECT_EQ(Field(reply, "subscribe.was_recovering"), "true");
  EXPECT_EQ(Field(reply, "subscribe.publications"), "");
  EXPECT_EQ(StringField(reply, "subscribe.epoch"), epoch_);
  EXPECT_EQ(IntField(reply, "subscribe.offset"), 5);
  EXPECT_EQ(h_.node().Stats().num_subs, 1u);  // still subscribed
}

TEST_F(ClientRecovery, GapBeyondHistoryIsNotRecovered) {
  for (int i = 6; i <= 15; ++i) h_.Publish("hist:1", std::to_string(i));  // history keeps 10
  Conn& c = h_.Connected("42");
  std::string reply = Recover(c, 2, 2, epoch_);
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "") << reply;
  EXPECT_EQ(IntField(reply, "subscribe.offset"), 15);
}

TEST_F(ClientRecovery, RejectUnrecoveredFlagGivesError112) {
  Conn& c = h_.Connected("42");
  EXPECT_EQ(Recover(c, 2, 2, "wrongEpc", "\"flag\":2"),
            ErrorReply(2, errors::UnrecoverablePosition()));
  EXPECT_EQ(h_.node().Stats().num_subs, 0u);  // not subscribed
  // A recoverable position with the same flag succeeds.
  std::string reply = Recover(c, 3, 2, epoch_, "\"flag\":3");
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "true") << reply;
}

TEST_F(ClientRecovery, HistoryCommand) {
  Conn& c = h_.Connected("42");
  // allow_history_for_subscriber: not yet subscribed.
  c.Send(R"({"id":2,"history":{"channel":"hist:1","limit":-1}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(2, errors::PermissionDenied()));
  Harness::Subscribe(c, 3, "hist:1");

  c.Send(R"({"id":4,"history":{"channel":"hist:1","limit":-1}})");
  std::string reply = c.TakeOne();
  EXPECT_EQ(Offsets(reply, "history.publications"), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(StringField(reply, "history.epoch"), epoch_);
  EXPECT_EQ(IntField(reply, "history.offset"), 5);

  c.Send(R"({"id":5,"history":{"channel":"hist:1","limit":2,"since":{"offset":1,"epoch":")" +
         epoch_ + "\"}}}");
  EXPECT_EQ(Offsets(c.TakeOne(), "history.publications"), (std::vector<int64_t>{2, 3}));

  c.Send(R"({"id":6,"history":{"channel":"hist:1","limit":2,"reverse":true}})");
  EXPECT_EQ(Offsets(c.TakeOne(), "history.publications"), (std::vector<int64_t>{5, 4}));

  c.Send(R"({"id":7,"history":{"channel":"hist:1"}})");  // limit 0: position only
  reply = c.TakeOne();
  EXPECT_TRUE(ArrayField(reply, "history.publications").empty()) << reply;
  EXPECT_EQ(IntField(reply, "history.offset"), 5);

  c.Send(
      R"({"id":8,"history":{"channel":"hist:1","limit":-1,"since":{"offset":1,"epoch":"wrongEpc"}}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(8, errors::UnrecoverablePosition()));

  c.Send(
      R"({"id":9,"history":{"channel":"hist:1","reverse":true,"since":{"offset":0,"epoch":""}}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(9, errors::BadRequest()));
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientRecovery, HistoryOnChannelWithoutHistoryIs108) {
  config::Config cfg = CommandsConfig();
  cfg.client.insecure = true;  // permission is not the question here
  Harness h(cfg);
  Conn& c = h.Connected("42");
  c.Send(R"({"id":2,"history":{"channel":"chat:1"}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(2, errors::NotAvailable()));
}

TEST_F(ClientRecovery, MissedOffsetIsInsufficientState) {
  Conn& c = h_.Connected("42");
  Harness::Subscribe(c, 2, "hist:1");
  // The broker hands over offset 7 while the subscriber is at 5: position lost.
  proto::Publication pub;
  pub.data = "{}";
  h_.node().HandlePublication("hist:1", pub, StreamPosition{7, epoch_});
  h_.RunAll();
  EXPECT_EQ(
      c.TakeOne(),
      R"({"push":{"channel":"hist:1","unsubscribe":{"code":2500,"reason":"insufficient state"}}})");
  EXPECT_EQ(h_.node().Stats().num_subs, 0u);
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientRecovery, AlreadySeenOffsetsAreNotRedelivered) {
  Conn& c = h_.Connected("42");
  Harness::Subscribe(c, 2, "hist:1");
  proto::Publication pub;
  pub.data = "{}";
  h_.node().HandlePublication("hist:1", pub, StreamPosition{5, epoch_});
  h_.RunAll();
  EXPECT_TRUE(c.Take().empty());
  h_.node().HandlePublication("hist:1", pub, StreamPosition{6, epoch_});
  h_.RunAll();
  EXPECT_EQ(IntField(c.TakeOne(), "push.pub.offset"), 6);
}

// --- Presence -------------------------------------------------------------------------------

TEST_F(ClientCommands, PresenceAndStatsAfterTwoSubscribers) {
  Conn& a = h_.Connected("alice");
  Conn& b = h_.Connected("bob");
  Harness::Subscribe(a, 2, "room:1");
  Harness::Subscribe(b, 2, "room:1");

  a.Send(R"({"id":3,"presence":{"channel":"room:1"}})");
  std::string reply = a.TakeOne();
  EXPECT_EQ(StringField(reply, "presence.presence." + a.client->id() + ".user"), "alice") << reply;
  EXPECT_EQ(StringField(reply, "presence.presence." + a.client->id() + ".client"), a.client->id());
  EXPECT_EQ(StringField(reply, "presence.presence." + b.client->id() + ".user"), "bob");

  a.Send(R"({"id":4,"presence_stats":{"channel":"room:1"}})");
  EXPECT_EQ(a.TakeOne(), R"({"id":4,"presence_stats":{"num_clients":2,"num_users":2}})");

  // A second connection of alice: one more client, same number of users.
  Conn& a2 = h_.Connected("alice");
  Harness::Subscribe(a2, 2, "room:1");
  b.Send(R"({"id":3,"presence_stats":{"channel":"room:1"}})");
  EXPECT_EQ(b.TakeOne(), R"({"id":3,"presence_stats":{"num_clients":3,"num_users":2}})");

  // Leaving removes the entry.
  b.Send(R"({"id":4,"unsubscribe":{"channel":"room:1"}})");
  b.Take();
  a.Send(R"({"id":5,"presence_stats":{"channel":"room:1"}})");
  EXPECT_EQ(a.TakeOne(), R"({"id":5,"presence_stats":{"num_clients":2,"num_users":1}})");
  a2.client->Disconnect(disconnects::Shutdown());
  a.Send(R"({"id":6,"presence":{"channel":"room:1"}})");
  reply = a.TakeOne();
  EXPECT_NE(Field(reply, "presence.presence." + a.client->id()), "");
  EXPECT_EQ(Field(reply, "presence.presence." + a2.client->id()), "");
  EXPECT_EQ(Field(reply, "presence.presence." + b.client->id()), "");
}

TEST_F(ClientCommands, PresencePermissionAndAvailability) {
  Conn& c = h_.Connected("42");
  c.Send(R"({"id":2,"presence":{"channel":"room:1"}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(2, errors::PermissionDenied()));
  c.Send(R"({"id":3,"presence_stats":{"channel":"room:1"}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(3, errors::PermissionDenied()));
  c.Send(R"({"id":4,"presence":{"channel":"chat:1"}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(4, errors::NotAvailable()));
  c.Send(R"({"id":5,"presence_stats":{"channel":"nope:1"}})");
  EXPECT_EQ(c.TakeOne(), ErrorReply(5, errors::UnknownChannel()));
  c.Send(R"({"id":6,"presence":{"channel":""}})");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::BadRequest());
}

}  // namespace
}  // namespace gyre::core
