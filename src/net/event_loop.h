// One epoll event loop per core. Each loop owns its connections; other threads talk to a loop
// only through Post(). Work that should happen once per loop turn (coalesced writes, deferred
// destruction) is queued with Defer*() and runs after all ready events of the turn.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/timer_wheel.h"

namespace gyre::net {

// Receives readiness events for one file descriptor.
class IoHandler {
 public:
  virtual ~IoHandler() = default;
  virtual void OnIo(uint32_t events) = 0;
};

// Something to run at the end of the current loop turn (e.g. a connection's write flush).
class TurnTask {
 public:
  virtual ~TurnTask() = default;
  virtual void OnTurnEnd() = 0;
};

class EventLoop {
 public:
  explicit EventLoop(int index);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs until Stop(). Call on the loop's own thread.
  void Run();
  // Thread-safe.
  void Stop();
  // Thread-safe: runs `fn` on the loop thread, in posting order.
  void Post(std::function<void()> fn);

  // Loop thread only.
  bool Add(int fd, uint32_t events, IoHandler* handler);
  bool Modify(int fd, uint32_t events, IoHandler* handler);
  void Remove(int fd);
  // Runs task->OnTurnEnd() once at the end of this turn (idempotent within a turn via the flag).
  void ScheduleTurnEnd(TurnTask* task);
  // Deletes `obj` after the current turn: nothing that may still hold a pointer from this turn
  // (timers, fan-out iterations) sees freed memory.
  template <class T>
  void DeleteLater(T* obj) {
    graveyard_.emplace_back(obj, [](void* p) { delete static_cast<T*>(p); });
  }
  TimerWheel& timers() { return timers_; }
  int64_t now_ms() const { return now_ms_; }
  int index() const { return index_; }
  bool InLoopThread() const { return std::this_thread::get_id() == thread_id_.load(); }

  // The loop running on the calling thread, or nullptr.
  static EventLoop* Current();

 private:
  void DrainPosted();
  void RunTurnEnd();

  int index_;
  int epfd_;
  int wakefd_;
  std::atomic<bool> stop_{false};
  std::atomic<std::thread::id> thread_id_;
  int64_t now_ms_;
  TimerWheel timers_;

  std::mutex post_mu_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> wake_pending_{false};

  std::vector<TurnTask*> turn_tasks_;
  std::vector<std::pair<void*, void (*)(void*)>> graveyard_;
};

// Monotonic milliseconds.
int64_t MonotonicMs();

}  // namespace gyre::net
