#include "base/timer_wheel.h"

namespace gyre {

void Timer::Cancel() {
  if (wheel_) wheel_->Unlink(*this);
}

TimerWheel::TimerWheel(int64_t now_ms)
    : slots_(kSlots, nullptr), tick_(static_cast<uint64_t>(now_ms / kTickMs)) {}

TimerWheel::~TimerWheel() {
  for (Timer* head : slots_) {
    while (head) {
      Timer* next = head->next_;
      head->prev_ = head->next_ = nullptr;
      head->wheel_ = nullptr;
      head = next;
    }
  }
}

void TimerWheel::Unlink(Timer& t) {
  size_t slot = t.due_tick_ % kSlots;
  if (t.prev_)
    t.prev_->next_ = t.next_;
  else
    slots_[slot] = t.next_;
  if (t.next_) t.next_->prev_ = t.prev_;
  t.prev_ = t.next_ = nullptr;
  t.wheel_ = nullptr;
  --count_;
}

void TimerWheel::Arm(Timer& t, int64_t delay_ms) {
  if (t.wheel_) Unlink(t);
  int64_t ticks = (delay_ms + kTickMs - 1) / kTickMs;
  if (ticks < 1) ticks = 1;
  t.due_tick_ = tick_ + static_cast<uint64_t>(ticks);
  size_t slot = t.due_tick_ % kSlots;
  t.prev_ = nullptr;
  t.next_ = slots_[slot];
  if (t.next_) t.next_->prev_ = &t;
  slots_[slot] = &t;
  t.wheel_ = this;
  ++count_;
}

void TimerWheel::Advance(int64_t now_ms) {
  uint64_t target = static_cast<uint64_t>(now_ms / kTickMs);
  while (tick_ < target) {
    ++tick_;
    size_t slot = tick_ % kSlots;
    // Fire due timers one at a time, rescanning the slot after each callback: a callback may
    // cancel, re-arm or destroy any other timer, including one due in this same tick.
    while (true) {
      Timer* t = slots_[slot];
      while (t && t->due_tick_ > tick_) t = t->next_;
      if (!t) break;
      Unlink(*t);
      if (t->cb_) t->cb_(t->arg_);
    }
  }
}

}  // namespace gyre
