#include "worker.h"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "jwt_signer.h"
#include "payload.h"

namespace gyre::bench {

std::string ChannelFor(const Options& o, int i) {
  switch (o.scenario) {
    case Scenario::kFanout:
      return "bench";
    case Scenario::kChat:
      return "room." + std::to_string(i / o.room_size);
    case Scenario::kIdle:
    case Scenario::kConnect:
      return "user." + std::to_string(o.channels > 0 ? i % o.channels : i);
  }
  return "bench";
}

namespace {

class Worker : public WsHandler {
 public:
  Worker(const Options& o, const Endpoint& e, Control* control, WorkerStats* stats, int begin,
         int end, int worker_count)
      : o_(o), endpoint_(e), control_(control), stats_(stats), begin_(begin), end_(end) {
    window_ = std::max(1, o.concurrency / std::max(1, worker_count));
    publishers_per_conn_ = o.scenario == Scenario::kChat ? o.room_size : 1;
  }

  int Run();

  void OnReady(WsClient& c) override {
    ++ready_;
    --in_progress_;
    ready_flags_[c.index] = true;
    if (o_.scenario == Scenario::kConnect) stats_->latency.Record(now_ns_ - c.started_ns);
    if (o_.scenario == Scenario::kChat) ready_members_.push_back(c.index);
  }

  void OnPublication(WsClient& c, const Marker& m, uint64_t now_ns) override {
    ++delivered_;
    uint32_t p = m.publisher < static_cast<uint32_t>(publishers_per_conn_) ? m.publisher : 0;
    uint32_t& last = last_seq_[static_cast<size_t>(c.index) * publishers_per_conn_ + p];
    if (m.seq <= last) {
      ++duplicated_;
    } else {
      if (m.seq > last + 1) gaps_ += m.seq - last - 1;
      last = m.seq;
      ++unique_;
    }
    if (m.sent_ns >= measure_from_ && m.sent_ns < measure_to_ && now_ns >= m.sent_ns) {
      stats_->latency.Record(now_ns - m.sent_ns);
    }
  }

  void OnPublishReply(WsClient&, bool ok) override { ok ? ++pubs_acked_ : ++pubs_failed_; }
  void OnPing(WsClient&) override { ++pings_; }

  void OnClosed(WsClient& c, const char* why) override {
    if (first_error_ == nullptr) first_error_ = why;
    if (c.started_ns != 0 && !was_ready(c)) {
      ++failed_;
      --in_progress_;
    } else {
      ++dropped_;
    }
  }

 private:
  bool was_ready(const WsClient& c) const { return ready_flags_[c.index]; }
  void StartNext();
  void PublishDue(uint64_t now);
  void Report();

  const Options& o_;
  const Endpoint& endpoint_;
  Control* control_;
  WorkerStats* stats_;
  int begin_, end_;
  int window_;
  int publishers_per_conn_;
  int epoll_fd_ = -1;
  int next_ = 0;
  int in_progress_ = 0;
  uint64_t now_ns_ = 0;
  uint64_t measure_from_ = ~0ull, measure_to_ = 0;

  std::vector<WsClient> clients_;
  std::vector<std::string> tokens_;
  std::vector<std::string> channels_;
  std::vector<uint32_t> last_seq_;
  std::vector<bool> ready_flags_;
  std::vector<uint32_t> ready_members_;  // chat: local indexes that publish
  std::vector<uint32_t> pub_seq_;        // chat: next sequence per local connection
  uint64_t chat_published_ = 0;
  uint64_t chat_start_ns_ = 0;
  std::string payload_;

  uint64_t ready_ = 0, failed_ = 0, dropped_ = 0, delivered_ = 0, unique_ = 0, duplicated_ = 0,
           gaps_ = 0, pings_ = 0, pubs_sent_ = 0, pubs_acked_ = 0, pubs_failed_ = 0;
  const char* first_error_ = nullptr;
};

void Worker::StartNext() {
  int local = next_++;
  int global = begin_ + local;
  WsClient& c = clients_[local];
  c.index = static_cast<uint32_t>(local);
  c.started_ns = NowNs();
  in_addr source;
  source.s_addr = htonl((127u << 24) | static_cast<uint32_t>(2 + global % o_.sources));
  ++in_progress_;
  if (!c.Start(epoll_fd_, endpoint_, source, tokens_[local], channels_[local], this)) {
    if (first_error_ == nullptr) first_error_ = "socket/bind/connect failed (fd or port limit?)";
    ++failed_;
    --in_progress_;
  }
}

// Chat: members publish round-robin so that the worker's total rate is member_rate * members.
void Worker::PublishDue(uint64_t now) {
  if (ready_members_.empty()) return;
  double elapsed = static_cast<double>(now - chat_start_ns_) / 1e9;
  auto due = static_cast<uint64_t>(elapsed * o_.member_rate * ready_members_.size());
  while (chat_published_ < due) {
    uint32_t local = ready_members_[chat_published_ % ready_members_.size()];
    ++chat_published_;
    WsClient& c = clients_[local];
    if (c.phase() != WsClient::Phase::kReady) continue;
    Marker m;
    m.seq = ++pub_seq_[local];
    m.publisher = static_cast<uint32_t>((begin_ + static_cast<int>(local)) % o_.room_size);
    m.sent_ns = NowNs();
    BuildPayload(m, static_cast<size_t>(o_.payload), payload_);
    c.SendPublish(channels_[local], payload_);
    ++pubs_sent_;
  }
}

void Worker::Report() {
  stats_->ready.store(ready_, std::memory_order_relaxed);
  stats_->failed.store(failed_, std::memory_order_relaxed);
  stats_->dropped.store(dropped_, std::memory_order_relaxed);
  stats_->delivered.store(delivered_, std::memory_order_relaxed);
  stats_->unique.store(unique_, std::memory_order_relaxed);
  stats_->duplicated.store(duplicated_, std::memory_order_relaxed);
  stats_->gaps.store(gaps_, std::memory_order_relaxed);
  stats_->pings.store(pings_, std::memory_order_relaxed);
  stats_->pubs_sent.store(pubs_sent_, std::memory_order_relaxed);
  stats_->pubs_acked.store(pubs_acked_, std::memory_order_relaxed);
  stats_->pubs_failed.store(pubs_failed_, std::memory_order_relaxed);
  if (control_->wake_requested.load(std::memory_order_relaxed) != 0 &&
      control_->wake_requested.exchange(0) != 0) {
    uint64_t one = 1;
    (void)!write(control_->wake_fd, &one, sizeof(one));
  }
  if (first_error_ != nullptr && stats_->first_error[0] == 0) {
    std::snprintf(stats_->first_error, sizeof(stats_->first_error), "%s", first_error_);
  }
}

int Worker::Run() {
  int n = end_ - begin_;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  clients_.resize(static_cast<size_t>(n));
  last_seq_.assign(static_cast<size_t>(n) * publishers_per_conn_, 0);
  ready_flags_.assign(static_cast<size_t>(n), false);
  pub_seq_.assign(static_cast<size_t>(n), 0);
  tokens_.reserve(static_cast<size_t>(n));
  channels_.reserve(static_cast<size_t>(n));
  int64_t exp = static_cast<int64_t>(time(nullptr)) + 3600;
  for (int i = begin_; i < end_; ++i) {
    tokens_.push_back(ConnectToken("u" + std::to_string(i), exp, o_.secret));
    channels_.push_back(ChannelFor(o_, i));
  }
  stats_->prepared.store(1);

  std::vector<epoll_event> events(1024);
  bool chat_running = false;
  for (;;) {
    int phase = control_->phase.load(std::memory_order_acquire);
    if (phase == kExit) break;
    bool may_connect = o_.scenario != Scenario::kConnect || phase >= kRun;
    while (may_connect && next_ < n && in_progress_ < window_) StartNext();
    if (phase >= kRun) {
      measure_from_ = control_->measure_from_ns.load(std::memory_order_relaxed);
      measure_to_ = control_->measure_to_ns.load(std::memory_order_relaxed);
    }
    int k = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 1);
    now_ns_ = NowNs();
    for (int i = 0; i < k; ++i) {
      static_cast<WsClient*>(events[i].data.ptr)->OnEvents(events[i].events, now_ns_);
    }
    if (o_.scenario == Scenario::kChat && phase == kRun) {
      if (!chat_running) {
        chat_running = true;
        chat_start_ns_ = control_->run_start_ns.load();
      }
      PublishDue(NowNs());
    }
    Report();
  }
  Report();
  for (auto& c : clients_) c.Close();
  stats_->done.store(1, std::memory_order_release);
  return 0;
}

}  // namespace

int RunWorker(const Options& options, const Endpoint& endpoint, Control* control,
              WorkerStats* stats, int begin, int end, int worker_count) {
  Worker w(options, endpoint, control, stats, begin, end, worker_count);
  return w.Run();
}

}  // namespace gyre::bench
