// Subscribing against an engine that answers later (as a networked engine does): live
// publications that arrive before the subscribe reply are held, sent after it, and those the
// reply already recovered are not sent twice.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "core_test_util.h"

namespace gyre::core::testing {
namespace {

// The memory engine, except that History() runs only when the test says so.
class DeferredHistoryBroker final : public Broker {
 public:
  void SetHandler(BrokerEventHandler* h) override { inner_.SetHandler(h); }
  void Publish(std::string_view ch, proto::Publication pub, const PublishOptions& o,
               PublishCallback done) override {
    inner_.Publish(ch, std::move(pub), o, std::move(done));
  }
  void PublishJoin(std::string_view ch, const proto::ClientInfo& i) override {
    inner_.PublishJoin(ch, i);
  }
  void PublishLeave(std::string_view ch, const proto::ClientInfo& i) override {
    inner_.PublishLeave(ch, i);
  }
  void Subscribe(std::string_view) override {}
  void Unsubscribe(std::string_view) override {}
  void History(std::string_view ch, const HistoryQuery& q, HistoryCallback done) override {
    deferred_.push_back([this, ch = std::string(ch), q, done] { inner_.History(ch, q, done); });
  }
  void RemoveHistory(std::string_view ch, DoneCallback done) override {
    inner_.RemoveHistory(ch, std::move(done));
  }
  size_t pending() const { return deferred_.size(); }
  void RunDeferred() {
    auto d = std::move(deferred_);
    deferred_.clear();
    for (auto& f : d) f();
  }

 private:
  broker::MemoryBroker inner_;
  std::vector<std::function<void()>> deferred_;
};

config::Config RecoveryConfig() {
  config::Config c = BaseConfig();
  auto& o = AddNamespace(c, "r");
  o.history_size = 10;
  o.history_ttl = std::chrono::seconds(60);
  o.force_recovery = true;
  o.allow_subscribe_for_client = true;
  return c;
}

class AsyncEngine : public ::testing::Test {
 protected:
  AsyncEngine() {
    auto b = std::make_unique<DeferredHistoryBroker>();
    broker_ = b.get();
    h_ = std::make_unique<Harness>(RecoveryConfig(), 1, std::move(b));
  }

  void Publish(int n) {
    proto::Publication pub;
    pub.data = "{\"n\":" + std::to_string(n) + "}";
    auto& ns = *config::FindNamespace(h_->config(), "r");
    h_->node().Publish("r:1", std::move(pub), h_->node().OptionsFor(ns), [](auto) {});
    h_->loop().RunPosted();
  }

  DeferredHistoryBroker* broker_;
  std::unique_ptr<Harness> h_;
};

TEST_F(AsyncEngine, PublicationsDuringSubscribeAreHeldAndDeduplicated) {
  Publish(1);
  Publish(2);
  Conn& c = h_->Connected("42");
  std::string epoch;
  broker_->History("r:1", HistoryQuery{}, [&](Result<HistoryData> r) { epoch = r->top.epoch; });
  broker_->RunDeferred();

  c.Send(R"({"id":2,"subscribe":{"channel":"r:1","recover":true,"offset":1,"epoch":")" + epoch +
         R"("}})");
  EXPECT_TRUE(c.Take().empty());  // the engine has not answered yet
  Publish(3);                     // live, and also in the history read below
  EXPECT_TRUE(c.Take().empty());  // held until the reply
  broker_->RunDeferred();
  h_->loop().RunPosted();
  Publish(4);

  auto msgs = c.Take();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(Field(msgs[0], "subscribe.recovered"), "true") << msgs[0];
  auto pubs = ArrayField(msgs[0], "subscribe.publications");
  ASSERT_EQ(pubs.size(), 2u);
  EXPECT_EQ(IntField(pubs[0], "offset"), 2);
  EXPECT_EQ(IntField(pubs[1], "offset"), 3);
  // Offset 3 was recovered, so its held live copy is dropped; 4 follows the reply.
  EXPECT_EQ(IntField(msgs[1], "push.pub.offset"), 4) << msgs[1];
}

TEST_F(AsyncEngine, HeldPublicationsNewerThanTheReplyFollowIt) {
  Conn& c = h_->Connected("42");
  c.Send(R"({"id":2,"subscribe":{"channel":"r:1"}})");
  broker_->RunDeferred();  // the engine reads the top (0) now...
  EXPECT_EQ(c.Take().size(), 1u);
  Publish(1);
  EXPECT_EQ(IntField(c.TakeOne(), "push.pub.offset"), 1);

  Conn& d = h_->Connected("43");
  d.Send(R"({"id":2,"subscribe":{"channel":"r:1"}})");
  Publish(2);              // arrives while d's subscribe is pending
  broker_->RunDeferred();  // ...and reads top 2 for d
  auto msgs = d.Take();
  ASSERT_EQ(msgs.size(), 1u);  // the reply; offset 2 is already covered by the position
  EXPECT_EQ(IntField(msgs[0], "subscribe.offset"), 2);
  Publish(3);
  EXPECT_EQ(IntField(d.TakeOne(), "push.pub.offset"), 3);
}

TEST_F(AsyncEngine, ClientGoneBeforeTheEngineAnswers) {
  Conn& c = h_->Connected("42");
  c.Send(R"({"id":2,"subscribe":{"channel":"r:1"}})");
  c.client->Disconnect(disconnects::Shutdown());
  c.Take();
  broker_->RunDeferred();  // must not write to the closed client or crash
  EXPECT_TRUE(c.Take().empty());
  EXPECT_EQ(h_->node().Stats().num_subs, 0u);
}

}  // namespace
}  // namespace gyre::core::testing
