// Ping/pong and stale connections (spec §1.9, §1.11), driven by the fake loop's clock.
#include <gtest/gtest.h>

#include "core/client.h"
#include "core/core_test_util.h"

namespace gyre::core {
namespace {

using testing::Conn;
using testing::Harness;

constexpr int64_t kPingMs = 25'000;   // client.ping_interval default
constexpr int64_t kPongMs = 8'000;    // client.pong_timeout default
constexpr int64_t kStaleMs = 10'000;  // client.stale_close_delay default
constexpr int64_t kSlack = 2 * TimerWheel::kTickMs;

// Advances one tick at a time until the client sends something (or a turn of the ping interval
// plus a margin passes); returns the time waited, or -1 when nothing came. The message is taken.
int64_t AdvanceUntilMessage(Harness& h, Conn& c) {
  for (int64_t waited = TimerWheel::kTickMs; waited <= 2 * kPingMs; waited += TimerWheel::kTickMs) {
    h.Advance(TimerWheel::kTickMs);
    auto got = c.Take();
    if (!got.empty()) {
      EXPECT_EQ(got, std::vector<std::string>{"{}"});
      return waited;
    }
  }
  return -1;
}

class ClientTimers : public ::testing::Test {
 protected:
  ClientTimers() : h_(testing::BaseConfig()) {}
  Harness h_;
};

TEST_F(ClientTimers, PingIsSentWithinTheInterval) {
  Conn& c = h_.Connected("42");
  // The first ping comes at a random moment in [interval/2, interval].
  h_.Advance(kPingMs / 2 - kSlack);
  EXPECT_TRUE(c.Take().empty());
  h_.Advance(kPingMs / 2 + kSlack * 2);
  EXPECT_EQ(c.Take(), std::vector<std::string>{"{}"});
}

TEST_F(ClientTimers, NoPongIsDisconnect3012) {
  Conn& c = h_.Connected("42");
  ASSERT_GT(AdvanceUntilMessage(h_, c), 0);
  h_.Advance(kPongMs - kSlack);
  EXPECT_FALSE(c.transport.closed.has_value());
  h_.Advance(2 * kSlack);
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(c.transport.closed->code, 3012u);
  EXPECT_EQ(c.transport.closed->reason, "no pong");
  EXPECT_TRUE(c.transport.closed->Reconnect());
  EXPECT_FALSE(c.client->connected());
  EXPECT_EQ(h_.node().Stats().num_clients, 0u);
}

TEST_F(ClientTimers, PongKeepsTheConnectionAlive) {
  Conn& c = h_.Connected("42");
  for (int round = 0; round < 5; ++round) {
    int64_t waited = AdvanceUntilMessage(h_, c);
    ASSERT_GT(waited, 0) << "no ping in round " << round;
    EXPECT_LE(waited, kPingMs + TimerWheel::kTickMs) << round;
    c.Send("{}");  // pong
    EXPECT_FALSE(c.transport.closed.has_value()) << round;
  }
  // Past any pong deadline: still open.
  h_.Advance(kPongMs + kSlack);
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientTimers, PingsRepeatEveryInterval) {
  Conn& c = h_.Connected("42");
  ASSERT_GT(AdvanceUntilMessage(h_, c), 0);
  c.Send("{}");
  // From then on one ping per interval, to the tick.
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(AdvanceUntilMessage(h_, c), kPingMs) << round;
    c.Send("{}");
  }
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientTimers, OtherCommandsDoNotCountAsPong) {
  config::Config cfg = testing::BaseConfig();
  testing::AddNamespace(cfg, "chat").allow_subscribe_for_client = true;
  Harness h(cfg);
  Conn& c = h.Connected("42");
  ASSERT_GT(AdvanceUntilMessage(h, c), 0);
  EXPECT_EQ(Harness::Subscribe(c, 2, "chat:1"), R"({"id":2,"subscribe":{}})");
  h.Advance(kPongMs + kSlack);
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::NoPong());
}

TEST_F(ClientTimers, PongWithoutPingIsDisconnect3501) {
  Conn& c = h_.Connected("42");
  c.Send("{}");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::BadRequest());
}

TEST_F(ClientTimers, SecondPongForOnePingIsDisconnect3501) {
  Conn& c = h_.Connected("42");
  ASSERT_GT(AdvanceUntilMessage(h_, c), 0);
  c.Send("{}");
  EXPECT_FALSE(c.transport.closed.has_value());
  c.Send("{}");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::BadRequest());
}

TEST_F(ClientTimers, NoPongExpectedWhenPongTimeoutIsZero) {
  config::Config cfg = testing::BaseConfig();
  cfg.client.pong_timeout = std::chrono::milliseconds(0);
  Harness h(cfg);
  Conn& c = h.Connected("42");
  h.Advance(3 * kPingMs + kSlack);
  EXPECT_EQ(c.Take().size(), 3u);
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientTimers, NoPingsWhenIntervalIsZero) {
  config::Config cfg = testing::BaseConfig();
  cfg.client.ping_interval = std::chrono::milliseconds(0);
  cfg.client.pong_timeout = std::chrono::milliseconds(0);
  Harness h(cfg);
  Conn& c = h.NewConn();
  c.Send(Harness::ConnectFrame(1, Harness::Token("42")));
  EXPECT_EQ(testing::Field(c.TakeOne(), "connect.ping"), "");
  h.Advance(10 * kPingMs);
  EXPECT_TRUE(c.Take().empty());
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientTimers, StaleWithoutConnectIs3502) {
  Conn& c = h_.NewConn();
  h_.Advance(kStaleMs - kSlack);
  EXPECT_FALSE(c.transport.closed.has_value());
  h_.Advance(kSlack * 2);
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(c.transport.closed->code, 3502u);
  EXPECT_EQ(c.transport.closed->reason, "stale");
  EXPECT_FALSE(c.transport.closed->Reconnect());
  EXPECT_TRUE(c.Take().empty());
}

TEST_F(ClientTimers, StaleAfterFailedConnectIs3502) {
  Conn& c = h_.NewConn();
  c.Send(Harness::ConnectFrame(
      1, Harness::Token("42", "\"exp\":" + std::to_string(UnixSeconds() - 60))));
  ASSERT_EQ(testing::IntField(c.TakeOne(), "error.code"), 109);
  h_.Advance(kStaleMs + kSlack);
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(*c.transport.closed, disconnects::Stale());
}

TEST_F(ClientTimers, ConnectCancelsTheStaleTimer) {
  Conn& c = h_.NewConn();
  h_.Advance(kStaleMs / 2);
  c.Send(Harness::ConnectFrame(1, Harness::Token("42")));
  c.Take();
  h_.Advance(kStaleMs);
  EXPECT_FALSE(c.transport.closed.has_value());
}

TEST_F(ClientTimers, ClosedClientLeavesNoTimersBehind) {
  Conn& c = h_.Connected("42");
  EXPECT_GT(h_.loop().timers().size(), 0u);
  c.client->Disconnect(disconnects::Shutdown());
  EXPECT_EQ(h_.loop().timers().size(), 0u);
  h_.Advance(10 * kPingMs);
  EXPECT_TRUE(c.Take().empty());
}

}  // namespace
}  // namespace gyre::core
