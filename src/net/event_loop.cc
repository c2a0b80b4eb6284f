#include "net/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "base/log.h"

namespace gyre::net {
namespace {
thread_local EventLoop* tls_loop = nullptr;

// Wakes the loop; the handler only drains the eventfd counter.
class WakeHandler final : public IoHandler {
 public:
  explicit WakeHandler(int fd) : fd_(fd) {}
  void OnIo(uint32_t) override {
    uint64_t v;
    while (::read(fd_, &v, sizeof v) == sizeof v) {
    }
  }

 private:
  int fd_;
};
}  // namespace

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

EventLoop::EventLoop(int index)
    : index_(index),
      epfd_(epoll_create1(EPOLL_CLOEXEC)),
      wakefd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      now_ms_(MonotonicMs()),
      timers_(now_ms_) {}

EventLoop::~EventLoop() {
  ::close(wakefd_);
  ::close(epfd_);
}

EventLoop* EventLoop::Current() {
  return tls_loop;
}

bool EventLoop::Add(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::Modify(int fd, uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::Remove(int fd) {
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::Post(std::function<void()> fn) {
  {
    std::lock_guard lock(post_mu_);
    posted_.push_back(std::move(fn));
  }
  if (!wake_pending_.exchange(true, std::memory_order_acq_rel)) {
    uint64_t one = 1;
    ssize_t r = ::write(wakefd_, &one, sizeof one);
    (void)r;
  }
}

void EventLoop::Stop() {
  stop_ = true;
  uint64_t one = 1;
  ssize_t r = ::write(wakefd_, &one, sizeof one);
  (void)r;
}

void EventLoop::ScheduleTurnEnd(TurnTask* task) {
  turn_tasks_.push_back(task);
}

void EventLoop::DrainPosted() {
  std::vector<std::function<void()>> batch;
  wake_pending_.store(false, std::memory_order_release);
  {
    std::lock_guard lock(post_mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

void EventLoop::RunTurnEnd() {
  // Tasks may schedule more tasks (e.g. a flush that closes a connection); loop until quiet.
  for (size_t i = 0; i < turn_tasks_.size(); ++i) turn_tasks_[i]->OnTurnEnd();
  turn_tasks_.clear();
  // Swap first: a destructor may itself schedule a deletion.
  std::vector<std::pair<void*, void (*)(void*)>> dead;
  dead.swap(graveyard_);
  for (auto& [p, del] : dead) del(p);
}

void EventLoop::Run() {
  tls_loop = this;
  thread_id_.store(std::this_thread::get_id());
  WakeHandler wake(wakefd_);
  Add(wakefd_, EPOLLIN, &wake);
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  while (!stop_.load(std::memory_order_relaxed)) {
    int timeout = timers_.size() > 0 ? static_cast<int>(TimerWheel::kTickMs) : 1000;
    int n = epoll_wait(epfd_, events, kMaxEvents, timeout);
    if (n < 0 && errno != EINTR) {
      spdlog::error("epoll_wait failed: {}", errno);
      break;
    }
    now_ms_ = MonotonicMs();
    for (int i = 0; i < n; ++i) {
      static_cast<IoHandler*>(events[i].data.ptr)->OnIo(events[i].events);
    }
    DrainPosted();
    timers_.Advance(now_ms_);
    RunTurnEnd();
  }
  DrainPosted();
  RunTurnEnd();
  Remove(wakefd_);
  tls_loop = nullptr;
}

}  // namespace gyre::net
