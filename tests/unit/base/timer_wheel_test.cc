#include "base/timer_wheel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

namespace gyre {
namespace {

constexpr int64_t kTick = TimerWheel::kTickMs;
constexpr int64_t kTurnMs = static_cast<int64_t>(TimerWheel::kSlots) * kTick;

// Counts its firings and remembers the wheel time of each.
struct Probe {
  explicit Probe(TimerWheel* w = nullptr) : wheel(w) { timer.Set(&Probe::Fire, this); }
  static void Fire(void* arg) {
    auto* p = static_cast<Probe*>(arg);
    ++p->fired;
    if (p->wheel) p->fired_at.push_back(p->wheel->now_ms());
    if (p->on_fire) p->on_fire(*p);
  }
  Timer timer;
  TimerWheel* wheel;
  int fired = 0;
  std::vector<int64_t> fired_at;
  std::function<void(Probe&)> on_fire;
};

TEST(TimerWheel, StartsAtTheGivenTimeRoundedToATick) {
  TimerWheel w(1234);
  EXPECT_EQ(w.now_ms(), 1200);
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, FiresWhenDueAndNotBefore) {
  TimerWheel w(1000);
  Probe p(&w);
  w.Arm(p.timer, 100);
  EXPECT_TRUE(p.timer.armed());
  EXPECT_EQ(w.size(), 1u);
  w.Advance(1050);
  EXPECT_EQ(p.fired, 0);
  w.Advance(1099);
  EXPECT_EQ(p.fired, 0);
  w.Advance(1100);
  EXPECT_EQ(p.fired, 1);
  EXPECT_FALSE(p.timer.armed());
  EXPECT_EQ(w.size(), 0u);
  // One-shot.
  w.Advance(100'000);
  EXPECT_EQ(p.fired, 1);
}

TEST(TimerWheel, DelaysRoundUpToAtLeastOneTick) {
  TimerWheel w(0);
  Probe zero(&w), one(&w), tick(&w), tick_plus(&w);
  w.Arm(zero.timer, 0);
  w.Arm(one.timer, 1);
  w.Arm(tick.timer, kTick);
  w.Arm(tick_plus.timer, kTick + 1);
  w.Advance(kTick);
  EXPECT_EQ(zero.fired, 1);
  EXPECT_EQ(one.fired, 1);
  EXPECT_EQ(tick.fired, 1);
  EXPECT_EQ(tick_plus.fired, 0);
  w.Advance(2 * kTick);
  EXPECT_EQ(tick_plus.fired, 1);

  Probe negative(&w);
  w.Arm(negative.timer, -500);
  w.Advance(3 * kTick);
  EXPECT_EQ(negative.fired, 1);
}

TEST(TimerWheel, CancelBeforeDue) {
  TimerWheel w(0);
  Probe p(&w), other(&w);
  w.Arm(p.timer, 200);
  w.Arm(other.timer, 200);  // same slot
  EXPECT_EQ(w.size(), 2u);
  p.timer.Cancel();
  EXPECT_FALSE(p.timer.armed());
  EXPECT_EQ(w.size(), 1u);
  p.timer.Cancel();  // idempotent
  EXPECT_EQ(w.size(), 1u);
  w.Advance(1000);
  EXPECT_EQ(p.fired, 0);
  EXPECT_EQ(other.fired, 1);
}

TEST(TimerWheel, ReArmMovesTheDeadline) {
  TimerWheel w(0);
  Probe p(&w);
  w.Arm(p.timer, 1000);
  w.Arm(p.timer, 200);
  EXPECT_EQ(w.size(), 1u);
  w.Advance(200);
  EXPECT_EQ(p.fired, 1);
  w.Arm(p.timer, 100);
  w.Arm(p.timer, 5000);
  w.Advance(1000);
  EXPECT_EQ(p.fired, 1);
  w.Advance(5200);
  EXPECT_EQ(p.fired, 2);
  EXPECT_EQ(p.fired_at, (std::vector<int64_t>{200, 5200}));
}

TEST(TimerWheel, DestroyedTimerUnlinksItself) {
  TimerWheel w(0);
  Probe keep(&w);
  w.Arm(keep.timer, 100);
  {
    auto gone = std::make_unique<Probe>(&w);
    w.Arm(gone->timer, 100);
    EXPECT_EQ(w.size(), 2u);
  }
  EXPECT_EQ(w.size(), 1u);
  w.Advance(100);
  EXPECT_EQ(keep.fired, 1);
}

TEST(TimerWheel, DestroyedWheelDisarmsItsTimers) {
  Probe p;
  {
    TimerWheel w(0);
    w.Arm(p.timer, 100);
  }
  EXPECT_FALSE(p.timer.armed());
  p.timer.Cancel();  // must not touch the destroyed wheel
}

TEST(TimerWheel, PeriodicReArmFromCallback) {
  TimerWheel w(0);
  Probe p(&w);
  p.on_fire = [&w](Probe& self) { w.Arm(self.timer, 100); };
  w.Arm(p.timer, 100);
  w.Advance(1000);  // one call covering 20 ticks
  EXPECT_EQ(p.fired, 10);
  EXPECT_EQ(p.fired_at, (std::vector<int64_t>{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}));
  EXPECT_TRUE(p.timer.armed());
  EXPECT_EQ(w.size(), 1u);
}

TEST(TimerWheel, ReArmIntoTheSameSlotFromCallbackWaitsAFullTurn) {
  TimerWheel w(0);
  Probe p(&w);
  p.on_fire = [&w](Probe& self) {
    if (self.fired < 3) w.Arm(self.timer, kTurnMs);  // lands in the slot being processed
  };
  w.Arm(p.timer, 100);
  w.Advance(100);
  EXPECT_EQ(p.fired, 1);
  w.Advance(100 + kTurnMs - kTick);
  EXPECT_EQ(p.fired, 1);
  w.Advance(100 + kTurnMs);
  EXPECT_EQ(p.fired, 2);
  w.Advance(100 + 5 * kTurnMs);
  EXPECT_EQ(p.fired, 3);
  EXPECT_EQ(p.fired_at, (std::vector<int64_t>{100, 100 + kTurnMs, 100 + 2 * kTurnMs}));
}

TEST(TimerWheel, CallbackArmsAnotherTimerForLaterInTheSameAdvance) {
  TimerWheel w(0);
  Probe first(&w), second(&w);
  first.on_fire = [&](Probe&) { w.Arm(second.timer, 300); };
  w.Arm(first.timer, 100);
  w.Advance(10'000);
  EXPECT_EQ(first.fired_at, (std::vector<int64_t>{100}));
  EXPECT_EQ(second.fired_at, (std::vector<int64_t>{400}));
}

TEST(TimerWheel, CallbackCancelsALaterTimer) {
  TimerWheel w(0);
  Probe first(&w), second(&w);
  first.on_fire = [&](Probe&) { second.timer.Cancel(); };
  w.Arm(first.timer, 100);
  w.Arm(second.timer, 200);
  w.Advance(1000);
  EXPECT_EQ(first.fired, 1);
  EXPECT_EQ(second.fired, 0);
  EXPECT_EQ(w.size(), 0u);
}

TEST(TimerWheel, DelaysBeyondOneTurn) {
  TimerWheel w(0);
  Probe p(&w);
  const int64_t delay = 2 * kTurnMs + 12 * kTick;  // ~2.1 turns
  w.Arm(p.timer, delay);
  // Passing over its slot on earlier turns does not fire it.
  w.Advance(12 * kTick);
  w.Advance(kTurnMs + 12 * kTick);
  EXPECT_EQ(p.fired, 0);
  w.Advance(delay - kTick);
  EXPECT_EQ(p.fired, 0);
  EXPECT_TRUE(p.timer.armed());
  w.Advance(delay);
  EXPECT_EQ(p.fired, 1);
  EXPECT_EQ(p.fired_at, (std::vector<int64_t>{delay}));
}

TEST(TimerWheel, LongAndShortTimersShareASlot) {
  TimerWheel w(0);
  Probe near(&w), far(&w);
  w.Arm(near.timer, 500);
  w.Arm(far.timer, 500 + 3 * kTurnMs);
  w.Advance(500);
  EXPECT_EQ(near.fired, 1);
  EXPECT_EQ(far.fired, 0);
  EXPECT_EQ(w.size(), 1u);
  w.Advance(500 + 3 * kTurnMs);
  EXPECT_EQ(far.fired, 1);
}

TEST(TimerWheel, AdvanceByManyTicksFiresEverythingInDeadlineOrder) {
  TimerWheel w(0);
  std::vector<std::unique_ptr<Probe>> probes;
  std::vector<int64_t> order;
  for (int i = 0; i < 500; ++i) {
    auto p = std::make_unique<Probe>(&w);
    // Spread over ~4 wheel turns, out of order.
    int64_t delay = ((i * 7919) % 8000 + 1) * kTick;
    p->on_fire = [&order, &w](Probe&) { order.push_back(w.now_ms()); };
    w.Arm(p->timer, delay);
    probes.push_back(std::move(p));
  }
  EXPECT_EQ(w.size(), 500u);
  w.Advance(10 * kTurnMs);  // one big jump
  EXPECT_EQ(w.size(), 0u);
  ASSERT_EQ(order.size(), 500u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  for (const auto& p : probes) EXPECT_EQ(p->fired, 1);
}

TEST(TimerWheel, TimeGoingBackwardsIsIgnored) {
  TimerWheel w(10'000);
  Probe p(&w);
  w.Arm(p.timer, 100);
  w.Advance(5'000);
  EXPECT_EQ(w.now_ms(), 10'000);
  EXPECT_EQ(p.fired, 0);
  w.Advance(10'100);
  EXPECT_EQ(p.fired, 1);
}

TEST(TimerWheel, ArmIsRelativeToTheWheelsCurrentTick) {
  TimerWheel w(0);
  w.Advance(5 * kTurnMs);
  Probe p(&w);
  w.Arm(p.timer, 250);
  w.Advance(5 * kTurnMs + 200);
  EXPECT_EQ(p.fired, 0);
  w.Advance(5 * kTurnMs + 250);
  EXPECT_EQ(p.fired, 1);
}

TEST(TimerWheel, CallbackCancelsATimerDueInTheSameTick) {
  TimerWheel w(0);
  Probe a(&w), b(&w);
  a.on_fire = [&](Probe&) { b.timer.Cancel(); };
  b.on_fire = [&](Probe&) { a.timer.Cancel(); };
  w.Arm(a.timer, 100);
  w.Arm(b.timer, 100);
  w.Advance(100);
  EXPECT_EQ(a.fired + b.fired, 1);
}

}  // namespace
}  // namespace gyre
