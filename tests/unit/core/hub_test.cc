// Fan-out: encode once, one posted task per loop, slow clients cut after the loop.
#include "core/hub.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/core_test_util.h"

namespace gyre::core {
namespace {

using testing::Conn;
using testing::Harness;

constexpr std::string_view kChannel = "chat:room";
constexpr std::string_view kPush =
    R"({"push":{"channel":"chat:room","pub":{"data":{"text":"hi"}}}})";

config::Config FanOutConfig() {
  config::Config c = testing::BaseConfig();
  auto& chat = testing::AddNamespace(c, "chat");
  chat.allow_subscribe_for_client = true;
  return c;
}

class HubFanOut : public ::testing::Test {
 protected:
  static constexpr int kPerLoop = 4;

  // Loops 0 and 1 hold subscribers; loop 2 holds a client that is not subscribed.
  HubFanOut() : h_(FanOutConfig(), 3) {
    for (int loop = 0; loop < 2; ++loop) {
      for (int i = 0; i < kPerLoop; ++i) {
        Conn& c = h_.Connected("user" + std::to_string(loop * kPerLoop + i), loop);
        EXPECT_EQ(Harness::Subscribe(c, 2, kChannel), R"({"id":2,"subscribe":{}})");
        subscribers_.push_back(&c);
      }
    }
    bystander_ = &h_.Connected("bystander", 2);
    h_.RunAll();
    for (Conn* c : subscribers_) c->Take();
  }

  Harness h_;
  std::vector<Conn*> subscribers_;
  Conn* bystander_ = nullptr;
};

TEST_F(HubFanOut, EverySubscriberGetsThePublicationOnce) {
  h_.Publish(kChannel, R"({"text":"hi"})");
  h_.RunAll();
  for (Conn* c : subscribers_) {
    EXPECT_EQ(c->Take(), std::vector<std::string>{std::string(kPush)});
    EXPECT_FALSE(c->transport.closed.has_value());
  }
  EXPECT_TRUE(bystander_->Take().empty());
}

TEST_F(HubFanOut, EncodedOnceAndSharedByEveryJsonSubscriber) {
  h_.Publish(kChannel, R"({"text":"hi"})");
  h_.RunAll();
  std::set<const std::string*> buffers;
  for (Conn* c : subscribers_) {
    ASSERT_EQ(c->transport.shared.size(), 1u);
    buffers.insert(c->transport.shared.back().get());
  }
  EXPECT_EQ(buffers.size(), 1u) << "each subscriber got its own copy";
  EXPECT_EQ(**buffers.begin(), kPush);
  // Nobody holds a private copy besides the transports' queues.
  EXPECT_EQ(subscribers_[0]->transport.shared.back().use_count(),
            static_cast<long>(subscribers_.size()));
}

TEST_F(HubFanOut, OnePostedTaskPerLoopWithSubscribers) {
  const size_t before0 = h_.loop(0).posted();
  const size_t before1 = h_.loop(1).posted();
  const size_t before2 = h_.loop(2).posted();
  h_.Publish(kChannel, R"({"text":"hi"})");
  EXPECT_EQ(h_.loop(0).posted() - before0, 1u);
  EXPECT_EQ(h_.loop(1).posted() - before1, 1u);
  EXPECT_EQ(h_.loop(2).posted() - before2, 0u);
  // Nothing is delivered until each loop runs its task.
  for (Conn* c : subscribers_) EXPECT_TRUE(c->transport.shared.empty());
  EXPECT_EQ(h_.loop(0).RunPosted(), 1u);
  for (int i = 0; i < kPerLoop; ++i) EXPECT_EQ(subscribers_[i]->transport.shared.size(), 1u);
  for (int i = kPerLoop; i < 2 * kPerLoop; ++i) {
    EXPECT_TRUE(subscribers_[i]->transport.shared.empty());
  }
  EXPECT_EQ(h_.loop(1).RunPosted(), 1u);
  for (Conn* c : subscribers_) EXPECT_EQ(c->transport.shared.size(), 1u);

  // Three publications: three tasks per loop, in order.
  h_.Publish(kChannel, "1");
  h_.Publish(kChannel, "2");
  h_.Publish(kChannel, "3");
  EXPECT_EQ(h_.loop(0).pending(), 3u);
  EXPECT_EQ(h_.loop(1).pending(), 3u);
  EXPECT_EQ(h_.loop(2).pending(), 0u);
  h_.RunAll();
  for (Conn* c : subscribers_) {
    auto m = c->Take();
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(testing::Field(m[1], "push.pub.data"), "1");
    EXPECT_EQ(testing::Field(m[2], "push.pub.data"), "2");
    EXPECT_EQ(testing::Field(m[3], "push.pub.data"), "3");
  }
}

TEST_F(HubFanOut, NoTaskForAChannelWithoutSubscribers) {
  const size_t before0 = h_.loop(0).posted();
  const size_t before1 = h_.loop(1).posted();
  h_.Publish("chat:empty", "{}");
  EXPECT_EQ(h_.loop(0).posted(), before0);
  EXPECT_EQ(h_.loop(1).posted(), before1);
}

TEST_F(HubFanOut, UnsubscribedLoopStopsReceivingTasks) {
  // Everyone on loop 1 leaves: loop 1 gets no more tasks.
  for (int i = kPerLoop; i < 2 * kPerLoop; ++i) {
    subscribers_[i]->Send(R"({"id":3,"unsubscribe":{"channel":"chat:room"}})");
    EXPECT_EQ(subscribers_[i]->TakeOne(), R"({"id":3,"unsubscribe":{}})");
  }
  const size_t before1 = h_.loop(1).posted();
  h_.Publish(kChannel, R"({"text":"hi"})");
  EXPECT_EQ(h_.loop(1).posted(), before1);
  EXPECT_EQ(h_.loop(0).pending(), 1u);
  h_.RunAll();
  for (int i = 0; i < kPerLoop; ++i) EXPECT_EQ(subscribers_[i]->Take().size(), 1u);
  for (int i = kPerLoop; i < 2 * kPerLoop; ++i) EXPECT_TRUE(subscribers_[i]->Take().empty());
}

TEST_F(HubFanOut, SlowClientIsDisconnectedAfterTheFanOut) {
  std::vector<std::string> log;
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    subscribers_[i]->transport.log = &log;
    subscribers_[i]->transport.name = "c" + std::to_string(i);
  }
  // The first subscriber of loop 0 has a full queue; it is first in the hub's vector, so an
  // eager disconnect would reorder the vector under the loop.
  Conn* slow = subscribers_[0];
  slow->transport.queued_bytes = static_cast<size_t>(h_.config().client.queue_max_size) + 1;

  h_.Publish(kChannel, R"({"text":"hi"})");
  h_.RunAll();

  ASSERT_TRUE(slow->transport.closed.has_value());
  EXPECT_EQ(*slow->transport.closed, disconnects::Slow());
  EXPECT_EQ(slow->transport.closed->code, 3008u);
  EXPECT_EQ(slow->transport.closed->reason, "slow");
  EXPECT_FALSE(slow->client->connected());
  for (size_t i = 1; i < subscribers_.size(); ++i) {
    EXPECT_FALSE(subscribers_[i]->transport.closed.has_value()) << i;
    EXPECT_EQ(subscribers_[i]->Take(), std::vector<std::string>{std::string(kPush)}) << i;
  }
  // The close came after every delivery of loop 0.
  auto close_at = std::find(log.begin(), log.end(), "c0:close");
  ASSERT_NE(close_at, log.end());
  for (int i = 1; i < kPerLoop; ++i) {
    auto sent_at = std::find(log.begin(), log.end(), "c" + std::to_string(i) + ":send");
    ASSERT_NE(sent_at, log.end());
    EXPECT_LT(sent_at, close_at) << i;
  }

  // The slow client is gone from the channel: the next publication skips it.
  slow->Take();
  slow->transport.shared.clear();
  h_.Publish(kChannel, R"({"text":"again"})");
  h_.RunAll();
  EXPECT_TRUE(slow->transport.shared.empty());
  for (size_t i = 1; i < subscribers_.size(); ++i) EXPECT_EQ(subscribers_[i]->Take().size(), 1u);
}

TEST_F(HubFanOut, SeveralSlowClientsOnOneLoop) {
  const size_t over = static_cast<size_t>(h_.config().client.queue_max_size) + 1;
  subscribers_[0]->transport.queued_bytes = over;
  subscribers_[2]->transport.queued_bytes = over;
  subscribers_[kPerLoop]->transport.queued_bytes = over;
  h_.Publish(kChannel, R"({"text":"hi"})");
  h_.RunAll();
  for (size_t i = 0; i < subscribers_.size(); ++i) {
    bool should_close = i == 0 || i == 2 || i == kPerLoop;
    EXPECT_EQ(subscribers_[i]->transport.closed.has_value(), should_close) << i;
    if (should_close) {
      EXPECT_EQ(subscribers_[i]->transport.closed->code, 3008u);
    }
    EXPECT_EQ(subscribers_[i]->transport.close_calls, should_close ? 1 : 0) << i;
  }
  EXPECT_EQ(h_.node().Stats().num_subs, static_cast<uint32_t>(subscribers_.size() - 3));
}

TEST_F(HubFanOut, QueueExactlyAtTheLimitIsNotSlow) {
  subscribers_[1]->transport.queued_bytes = static_cast<size_t>(h_.config().client.queue_max_size);
  h_.Publish(kChannel, R"({"text":"hi"})");
  h_.RunAll();
  EXPECT_FALSE(subscribers_[1]->transport.closed.has_value());
}

TEST_F(HubFanOut, NodeRegistryCountsSubscribers) {
  NodeStats s = h_.node().Stats();
  EXPECT_EQ(s.num_clients, static_cast<uint32_t>(2 * kPerLoop + 1));
  EXPECT_EQ(s.num_users, static_cast<uint32_t>(2 * kPerLoop + 1));
  EXPECT_EQ(s.num_channels, 1u);
  EXPECT_EQ(s.num_subs, static_cast<uint32_t>(2 * kPerLoop));
  auto channels = h_.node().Channels("");
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0].first, kChannel);
  EXPECT_EQ(channels[0].second, static_cast<uint32_t>(2 * kPerLoop));
  EXPECT_EQ(h_.node().Channels("chat:*").size(), 1u);
  EXPECT_EQ(h_.node().Channels("news:*").size(), 0u);
  EXPECT_EQ(h_.node().hub(0).num_clients(), static_cast<size_t>(kPerLoop));
  EXPECT_EQ(h_.node().hub(2).num_clients(), 1u);
}

// --- JSON and protobuf subscribers together ---------------------------------------------------

TEST(HubEncodings, OneBufferPerEncoding) {
  Harness h(FanOutConfig(), 2);
  std::vector<Conn*> json_subs, pb_subs;
  for (int loop = 0; loop < 2; ++loop) {
    for (int i = 0; i < 2; ++i) {
      Conn& j = h.Connected("j" + std::to_string(loop * 2 + i), loop);
      Harness::Subscribe(j, 2, kChannel);
      json_subs.push_back(&j);

      Conn& p = h.NewConn(loop, proto::Encoding::kProtobuf);
      p.Send(testing::PbConnect(1, Harness::Token("p" + std::to_string(loop * 2 + i))));
      ASSERT_TRUE(p.client->connected());
      p.Send(testing::PbSubscribe(2, kChannel));
      ASSERT_EQ(p.Take().size(), 2u);  // connect and subscribe replies
      pb_subs.push_back(&p);
    }
  }
  h.RunAll();
  const size_t before0 = h.loop(0).posted();
  h.Publish(kChannel, R"({"text":"hi"})");
  EXPECT_EQ(h.loop(0).posted() - before0, 1u);  // still one task per loop
  h.RunAll();

  std::set<const std::string*> json_buffers, pb_buffers;
  for (Conn* c : json_subs) {
    ASSERT_EQ(c->transport.shared.size(), 1u);
    json_buffers.insert(c->transport.shared.back().get());
  }
  for (Conn* c : pb_subs) {
    ASSERT_EQ(c->transport.shared.size(), 1u);
    pb_buffers.insert(c->transport.shared.back().get());
  }
  ASSERT_EQ(json_buffers.size(), 1u);
  ASSERT_EQ(pb_buffers.size(), 1u);
  EXPECT_NE(*json_buffers.begin(), *pb_buffers.begin());
  EXPECT_EQ(**json_buffers.begin(), kPush);
  // The protobuf message carries the JSON payload bytes unchanged.
  EXPECT_NE((*pb_buffers.begin())->find(R"({"text":"hi"})"), std::string::npos);
}

TEST(HubEncodings, DeliveredBufferIsOwnedOnlyByTheTransportQueue) {
  Harness h(FanOutConfig(), 1);
  Conn& j = h.Connected("j");
  Harness::Subscribe(j, 2, kChannel);
  h.Publish(kChannel, "{}");
  h.RunAll();
  ASSERT_EQ(j.transport.shared.size(), 1u);
  // The posted task released its reference once it ran.
  EXPECT_EQ(j.transport.shared.back().use_count(), 1);
}

// --- Join and leave -------------------------------------------------------------------------

TEST(HubJoinLeave, PushedOnlyToSubscribersThatAskedForThem) {
  config::Config c = testing::BaseConfig();
  auto& ns = testing::AddNamespace(c, "room");
  ns.allow_subscribe_for_client = true;
  ns.presence = true;
  ns.join_leave = true;
  ns.allow_presence_for_client = true;
  Harness h(c, 1);
  Conn& watcher = h.Connected("watcher");
  Conn& quiet = h.Connected("quiet");
  EXPECT_EQ(Harness::Subscribe(watcher, 2, "room:1", R"("join_leave":true)"),
            R"({"id":2,"subscribe":{}})");
  Harness::Subscribe(quiet, 2, "room:1");
  h.RunAll();
  watcher.Take();
  quiet.Take();

  Conn& joiner = h.Connected("joiner");
  Harness::Subscribe(joiner, 2, "room:1");
  h.RunAll();
  auto w = watcher.Take();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(testing::StringField(w[0], "push.channel"), "room:1");
  EXPECT_EQ(testing::StringField(w[0], "push.join.info.user"), "joiner");
  EXPECT_EQ(testing::StringField(w[0], "push.join.info.client"), joiner.client->id());
  EXPECT_TRUE(quiet.Take().empty());

  joiner.Send(R"({"id":3,"unsubscribe":{"channel":"room:1"}})");
  h.RunAll();
  w = watcher.Take();
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(testing::StringField(w[0], "push.leave.info.user"), "joiner");
  EXPECT_TRUE(quiet.Take().empty());
}

}  // namespace
}  // namespace gyre::core
