// The core's view of an event loop: a thread that owns clients, runs posted work in order, and
// keeps a timer wheel. Implemented over net::EventLoop by the transport layer, and by a manual
// fake in unit tests.
#pragma once

#include <cstdint>
#include <functional>

#include "base/timer_wheel.h"

namespace gyre::core {

class Loop {
 public:
  virtual ~Loop() = default;
  // Thread-safe; runs `fn` on the loop thread in posting order.
  virtual void Post(std::function<void()> fn) = 0;
  virtual TimerWheel& timers() = 0;
  virtual int64_t now_ms() const = 0;
  virtual int index() const = 0;
  // True on the loop's own thread. Engines may answer on other threads; the Client then posts
  // the continuation back to its loop.
  virtual bool InLoopThread() const { return true; }
};

}  // namespace gyre::core
