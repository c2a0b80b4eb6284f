// A hashed timing wheel for per-connection deadlines (pings, pong waits, expiry checks).
//
// Timers are intrusive: a Timer lives inside its owner, so arming/cancelling never allocates and
// a destroyed owner unlinks itself. Resolution is one tick (kTickMs); deadlines further than one
// turn of the wheel wait in their slot for extra rounds. Single-threaded: only the owning loop
// touches its wheel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gyre {

class TimerWheel;

class Timer {
 public:
  using Callback = void (*)(void* arg);
  Timer() = default;
  Timer(Callback cb, void* arg) : cb_(cb), arg_(arg) {}
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { Cancel(); }

  void Set(Callback cb, void* arg) {
    cb_ = cb;
    arg_ = arg;
  }
  bool armed() const { return wheel_ != nullptr; }
  void Cancel();

 private:
  friend class TimerWheel;
  Timer* prev_ = nullptr;
  Timer* next_ = nullptr;
  TimerWheel* wheel_ = nullptr;
  uint64_t due_tick_ = 0;
  Callback cb_ = nullptr;
  void* arg_ = nullptr;
};

class TimerWheel {
 public:
  static constexpr int64_t kTickMs = 50;
  static constexpr size_t kSlots = 2048;  // ~102 s per turn

  explicit TimerWheel(int64_t now_ms);
  ~TimerWheel();

  // Arms (or re-arms) `t` to fire `delay_ms` from now (at least one tick).
  void Arm(Timer& t, int64_t delay_ms);
  // Fires every timer due at `now_ms`. Callbacks may arm or cancel any timer.
  void Advance(int64_t now_ms);
  size_t size() const { return count_; }
  int64_t now_ms() const { return static_cast<int64_t>(tick_) * kTickMs; }

 private:
  friend class Timer;
  void Unlink(Timer& t);

  std::vector<Timer*> slots_;
  uint64_t tick_;
  size_t count_ = 0;
};

}  // namespace gyre
