#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/memory/broker_memory.h"

namespace gyre::broker {
namespace {

using core::HistoryData;
using core::HistoryQuery;
using core::PublishOptions;
using core::StreamPosition;

class Recorder final : public core::BrokerEventHandler {
 public:
  void HandlePublication(std::string_view ch, const proto::Publication& pub,
                         const StreamPosition& pos) override {
    pubs.push_back({std::string(ch), pub.data, pos.offset});
  }
  void HandleJoin(std::string_view, const proto::ClientInfo& i) override {
    joins.push_back(i.client);
  }
  void HandleLeave(std::string_view, const proto::ClientInfo& i) override {
    leaves.push_back(i.client);
  }
  struct Seen {
    std::string channel, data;
    uint64_t offset;
  };
  std::vector<Seen> pubs;
  std::vector<std::string> joins, leaves;
};

PublishOptions WithHistory(int size) {
  PublishOptions o;
  o.history_size = size;
  o.history_ttl = std::chrono::seconds(60);
  o.history_meta_ttl = std::chrono::hours(1);
  return o;
}

StreamPosition Publish(MemoryBroker& b, std::string_view ch, std::string data,
                       const PublishOptions& o) {
  proto::Publication pub;
  pub.data = std::move(data);
  StreamPosition got;
  b.Publish(ch, std::move(pub), o, [&](Result<StreamPosition> r) {
    ASSERT_TRUE(r.ok());
    got = *r;
  });
  return got;
}

Result<HistoryData> History(MemoryBroker& b, std::string_view ch, HistoryQuery q) {
  std::optional<Result<HistoryData>> got;
  b.History(ch, q, [&](Result<HistoryData> r) { got = std::move(r); });
  EXPECT_TRUE(got.has_value());
  return std::move(*got);
}

std::vector<uint64_t> Offsets(const HistoryData& h) {
  std::vector<uint64_t> out;
  for (const auto& p : h.publications) out.push_back(p.offset);
  return out;
}

TEST(MemoryBroker, OffsetsIncreaseAndHandlerSeesThemInOrder) {
  MemoryBroker b;
  Recorder r;
  b.SetHandler(&r);
  auto o = WithHistory(10);
  EXPECT_EQ(Publish(b, "c", "1", o).offset, 1u);
  EXPECT_EQ(Publish(b, "c", "2", o).offset, 2u);
  StreamPosition third = Publish(b, "c", "3", o);
  EXPECT_EQ(third.offset, 3u);
  EXPECT_EQ(third.epoch.size(), 8u);
  ASSERT_EQ(r.pubs.size(), 3u);
  EXPECT_EQ(r.pubs[2].offset, 3u);
  EXPECT_EQ(r.pubs[2].data, "3");
}

TEST(MemoryBroker, WithoutHistoryNothingIsKeptAndPositionIsEmpty) {
  MemoryBroker b;
  Recorder r;
  b.SetHandler(&r);
  StreamPosition p = Publish(b, "c", "x", PublishOptions{});
  EXPECT_EQ(p.offset, 0u);
  EXPECT_TRUE(p.epoch.empty());
  EXPECT_EQ(r.pubs.size(), 1u);
  HistoryQuery q;
  q.limit = -1;
  auto h = History(b, "c", q);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->publications.empty());
}

TEST(MemoryBroker, HistorySizeKeepsTheNewest) {
  MemoryBroker b;
  auto o = WithHistory(3);
  for (int i = 1; i <= 5; ++i) Publish(b, "c", std::to_string(i), o);
  HistoryQuery q;
  q.limit = -1;
  auto h = History(b, "c", q);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(Offsets(*h), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(h->top.offset, 5u);
}

TEST(MemoryBroker, SinceLimitAndReverse) {
  MemoryBroker b;
  auto o = WithHistory(10);
  StreamPosition top;
  for (int i = 1; i <= 5; ++i) top = Publish(b, "c", std::to_string(i), o);
  HistoryQuery q;
  q.since = StreamPosition{2, top.epoch};
  q.limit = 2;
  EXPECT_EQ(Offsets(*History(b, "c", q)), (std::vector<uint64_t>{3, 4}));
  q.reverse = true;
  q.since = StreamPosition{4, top.epoch};
  EXPECT_EQ(Offsets(*History(b, "c", q)), (std::vector<uint64_t>{3, 2}));
  HistoryQuery newest;
  newest.reverse = true;
  newest.limit = 1;
  EXPECT_EQ(Offsets(*History(b, "c", newest)), (std::vector<uint64_t>{5}));
  HistoryQuery position_only;
  auto h = History(b, "c", position_only);
  EXPECT_TRUE(h->publications.empty());
  EXPECT_EQ(h->top.offset, 5u);
}

TEST(MemoryBroker, WrongEpochIsUnrecoverable) {
  MemoryBroker b;
  Publish(b, "c", "1", WithHistory(10));
  HistoryQuery q;
  q.since = StreamPosition{0, "XXXXXXXX"};
  auto h = History(b, "c", q);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code, 112u);
}

TEST(MemoryBroker, TheStreamsFirstPublicationCarriesTheEpoch) {
  MemoryBroker b;
  Recorder r;
  b.SetHandler(&r);
  auto o = WithHistory(10);
  StreamPosition p1 = Publish(b, "c", "1", o);
  Publish(b, "c", "2", o);
  HistoryQuery q;
  q.limit = -1;
  auto h = History(b, "c", q);
  ASSERT_EQ(h->publications.size(), 2u);
  EXPECT_EQ(h->publications[0].epoch, p1.epoch);
  EXPECT_TRUE(h->publications[1].epoch.empty());
}

TEST(MemoryBroker, IdempotencyKeyPublishesOnce) {
  MemoryBroker b;
  Recorder r;
  b.SetHandler(&r);
  auto o = WithHistory(10);
  o.idempotency_key = "k1";
  StreamPosition a = Publish(b, "c", "x", o);
  StreamPosition again = Publish(b, "c", "x", o);
  EXPECT_EQ(a.offset, again.offset);
  EXPECT_EQ(a.epoch, again.epoch);
  EXPECT_EQ(r.pubs.size(), 1u);
  o.idempotency_key = "k2";
  EXPECT_EQ(Publish(b, "c", "y", o).offset, 2u);
  EXPECT_EQ(Publish(b, "other", "y", WithHistory(10)).offset, 1u);  // keys are per channel
}

TEST(MemoryBroker, RemoveHistoryKeepsThePosition) {
  MemoryBroker b;
  auto o = WithHistory(10);
  StreamPosition top;
  for (int i = 1; i <= 3; ++i) top = Publish(b, "c", std::to_string(i), o);
  b.RemoveHistory("c", [](Result<bool> r) { EXPECT_TRUE(r.ok()); });
  HistoryQuery q;
  q.limit = -1;
  auto h = History(b, "c", q);
  EXPECT_TRUE(h->publications.empty());
  EXPECT_EQ(h->top.offset, 3u);
  EXPECT_EQ(h->top.epoch, top.epoch);
  EXPECT_EQ(Publish(b, "c", "4", o).offset, 4u);
}

TEST(MemoryBroker, JoinAndLeaveReachTheHandler) {
  MemoryBroker b;
  Recorder r;
  b.SetHandler(&r);
  proto::ClientInfo info{"u", "c1", "", ""};
  b.PublishJoin("c", info);
  b.PublishLeave("c", info);
  EXPECT_EQ(r.joins, std::vector<std::string>{"c1"});
  EXPECT_EQ(r.leaves, std::vector<std::string>{"c1"});
}

TEST(MemoryPresence, AddRemoveAndStats) {
  MemoryPresence p;
  p.Add("c", proto::ClientInfo{"alice", "1", "", ""});
  p.Add("c", proto::ClientInfo{"alice", "2", "", ""});
  p.Add("c", proto::ClientInfo{"bob", "3", "", ""});
  p.GetStats("c", [](Result<core::PresenceManager::Stats> r) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->num_clients, 3u);
    EXPECT_EQ(r->num_users, 2u);
  });
  p.Remove("c", "1", "alice");
  p.Get("c", [](Result<core::PresenceManager::PresenceMap> r) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), 2u);
    EXPECT_EQ(r->count("1"), 0u);
    EXPECT_EQ(r->at("3").user, "bob");
  });
  p.Remove("c", "2", "alice");
  p.Remove("c", "3", "bob");
  p.GetStats("c", [](Result<core::PresenceManager::Stats> r) {
    EXPECT_EQ(r->num_clients, 0u);
    EXPECT_EQ(r->num_users, 0u);
  });
}

}  // namespace
}  // namespace gyre::broker
