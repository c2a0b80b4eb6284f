#include "coordinator.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "http_publisher.h"
#include "payload.h"
#include "worker.h"

namespace gyre::bench {
namespace {

constexpr int kConnectionsPerProcess = 15000;  // below the 20,000 open-file cap per process

struct Totals {
  uint64_t prepared = 0, ready = 0, failed = 0, dropped = 0, delivered = 0, unique = 0,
           duplicated = 0, gaps = 0, pings = 0, pubs_sent = 0, pubs_acked = 0, pubs_failed = 0;
  std::string first_error;
};

struct ProcSample {
  bool ok = false;
  uint64_t rss_bytes = 0;
  double cpu_seconds = 0;
};

ProcSample SampleProcess(int pid) {
  ProcSample s;
  if (pid <= 0) return s;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_bytes = std::stoull(line.substr(6)) * 1024;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t close = all.rfind(')');
  if (close == std::string::npos || s.rss_bytes == 0) return s;
  std::istringstream rest(all.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  s.ok = true;
  return s;
}

// CPU seconds used so far by this process and its workers (read from /proc while they run).
double BenchCpuSeconds(const std::vector<pid_t>& workers) {
  double total = SampleProcess(getpid()).cpu_seconds;
  for (pid_t pid : workers) total += SampleProcess(pid).cpu_seconds;
  return total;
}

class Coordinator {
 public:
  explicit Coordinator(const Options& o) : o_(o) {}
  int Run();

 private:
  int TotalConnections() const;
  bool SpawnWorkers();
  Totals Sum() const;
  void SetPhase(Phase p) { control_->phase.store(p, std::memory_order_release); }
  void Progress(const char* stage, bool force = false);
  bool WaitReady(int total);
  void StopWorkers();
  Histogram MergedLatency() const;
  int Fanout();
  int Chat();
  int Idle();
  int Connect();
  void Emit(const std::string& json);
  struct CpuPair {
    double server = -1;  // CPU seconds of the server, -1 if unknown
    double bench = 0;    // CPU seconds of gyre-bench, all processes
  };
  CpuPair CpuNow() const {
    CpuPair p;
    ProcSample s = SampleProcess(o_.server_pid);
    if (s.ok) p.server = s.cpu_seconds;
    p.bench = BenchCpuSeconds(pids_);
    return p;
  }
  // Core utilisation of both sides over a window: when the load generator's core is near 100%
  // the figure is the load generator's limit, not the server's.
  static std::string CpuJson(const CpuPair& from, const CpuPair& to, double window_s,
                             double delivered) {
    std::ostringstream j;
    j << std::fixed << std::setprecision(3);
    j << R"(,"bench_cpu_pct":)" << (to.bench - from.bench) / window_s * 100;
    if (from.server >= 0 && to.server >= 0) {
      double server = to.server - from.server;
      j << R"(,"server_cpu_pct":)" << server / window_s * 100;
      if (server > 0) j << R"(,"delivered_per_server_cpu_s":)" << delivered / server;
    }
    return j.str();
  }
  std::string CommonJson(const Totals& t) const;

  const Options& o_;
  Endpoint endpoint_;
  Control* control_ = nullptr;
  WorkerStats* stats_ = nullptr;
  std::vector<pid_t> pids_;
  uint64_t last_progress_ns_ = 0;
  uint64_t start_ns_ = NowNs();
  uint64_t last_delivered_ = 0;
  uint64_t last_delivered_ns_ = 0;
  std::string extra_progress_;
  ProcSample before_;  // the server before any connection of this run
};

int Coordinator::TotalConnections() const {
  switch (o_.scenario) {
    case Scenario::kFanout:
      return o_.subscribers;
    case Scenario::kChat:
      return o_.rooms * o_.room_size;
    default:
      return o_.connections;
  }
}

bool Coordinator::SpawnWorkers() {
  int total = TotalConnections();
  int procs =
      o_.procs > 0 ? o_.procs : (total + kConnectionsPerProcess - 1) / kConnectionsPerProcess;
  procs = std::max(1, std::min(procs, total));
  size_t bytes = sizeof(Control) + sizeof(WorkerStats) * static_cast<size_t>(procs);
  void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return false;
  control_ = new (mem) Control();
  stats_ = reinterpret_cast<WorkerStats*>(static_cast<char*>(mem) + sizeof(Control));
  for (int i = 0; i < procs; ++i) new (&stats_[i]) WorkerStats();
  control_->measure_from_ns = ~0ull;
  control_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::fflush(nullptr);
  for (int i = 0; i < procs; ++i) {
    int begin = static_cast<int>(static_cast<int64_t>(total) * i / procs);
    int end = static_cast<int>(static_cast<int64_t>(total) * (i + 1) / procs);
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) _exit(RunWorker(o_, endpoint_, control_, &stats_[i], begin, end, procs));
    pids_.push_back(pid);
  }
  return true;
}

Totals Coordinator::Sum() const {
  Totals t;
  for (size_t i = 0; i < pids_.size(); ++i) {
    const WorkerStats& s = stats_[i];
    t.prepared += s.prepared.load(std::memory_order_relaxed);
    t.ready += s.ready.load(std::memory_order_relaxed);
    t.failed += s.failed.load(std::memory_order_relaxed);
    t.dropped += s.dropped.load(std::memory_order_relaxed);
    t.delivered += s.delivered.load(std::memory_order_relaxed);
    t.unique += s.unique.load(std::memory_order_relaxed);
    t.duplicated += s.duplicated.load(std::memory_order_relaxed);
    t.gaps += s.gaps.load(std::memory_order_relaxed);
    t.pings += s.pings.load(std::memory_order_relaxed);
    t.pubs_sent += s.pubs_sent.load(std::memory_order_relaxed);
    t.pubs_acked += s.pubs_acked.load(std::memory_order_relaxed);
    t.pubs_failed += s.pubs_failed.load(std::memory_order_relaxed);
    if (t.first_error.empty() && s.first_error[0] != 0) t.first_error = s.first_error;
  }
  return t;
}

void Coordinator::Progress(const char* stage, bool force) {
  uint64_t now = NowNs();
  if (!force && now - last_progress_ns_ < 1000000000ull) return;
  Totals t = Sum();
  double rate = 0;
  if (last_delivered_ns_ != 0 && now > last_delivered_ns_) {
    rate = static_cast<double>(t.delivered - last_delivered_) * 1e9 /
           static_cast<double>(now - last_delivered_ns_);
  }
  last_delivered_ = t.delivered;
  last_delivered_ns_ = now;
  last_progress_ns_ = now;
  if (o_.quiet) return;
  std::fprintf(stderr,
               "[%s %s] t=%.1fs %s ready=%llu failed=%llu dropped=%llu delivered=%llu "
               "(%.0f/s) pings=%llu%s\n",
               o_.label.c_str(), stage, static_cast<double>(now - start_ns_) / 1e9, "",
               static_cast<unsigned long long>(t.ready), static_cast<unsigned long long>(t.failed),
               static_cast<unsigned long long>(t.dropped),
               static_cast<unsigned long long>(t.delivered), rate,
               static_cast<unsigned long long>(t.pings), extra_progress_.c_str());
}

// Waits until every connection is ready or failed; false if none became ready.
bool Coordinator::WaitReady(int total) {
  uint64_t deadline = NowNs() + static_cast<uint64_t>(o_.connect_timeout * 1e9);
  for (;;) {
    Totals t = Sum();
    if (t.ready + t.failed >= static_cast<uint64_t>(total)) break;
    if (NowNs() > deadline) {
      std::fprintf(stderr, "[%s] connect timeout: %llu of %d ready\n", o_.label.c_str(),
                   static_cast<unsigned long long>(t.ready), total);
      break;
    }
    Progress("connect");
    usleep(2000);
  }
  Progress("connect", true);
  return Sum().ready > 0;
}

void Coordinator::StopWorkers() {
  SetPhase(kExit);
  for (pid_t pid : pids_) {
    int status = 0;
    for (int i = 0; i < 500; ++i) {  // up to 5 s, then kill our own worker
      if (waitpid(pid, &status, WNOHANG) == pid) break;
      usleep(10000);
      if (i == 499) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
      }
    }
  }
}

Histogram Coordinator::MergedLatency() const {
  Histogram h;
  h.Clear();
  for (size_t i = 0; i < pids_.size(); ++i) {
    if (stats_[i].done.load(std::memory_order_acquire)) h.Merge(stats_[i].latency);
  }
  return h;
}

std::string LatencyJson(const Histogram& h) {
  char buf[256];
  std::snprintf(
      buf, sizeof(buf), R"({"count":%llu,"p50":%.1f,"p90":%.1f,"p99":%.1f,"p999":%.1f,"max":%.1f})",
      static_cast<unsigned long long>(h.count()), h.Quantile(0.5) / 1e3, h.Quantile(0.9) / 1e3,
      h.Quantile(0.99) / 1e3, h.Quantile(0.999) / 1e3, h.max() / 1e3);
  return buf;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

std::string Coordinator::CommonJson(const Totals& t) const {
  static const char* kNames[] = {"fanout", "chat", "idle", "connect"};
  std::ostringstream j;
  j << std::fixed << std::setprecision(3);
  j << R"({"scenario":")" << kNames[static_cast<int>(o_.scenario)] << R"(","server":")"
    << Escape(o_.label) << R"(","encoding":")" << (o_.protobuf ? "protobuf" : "json")
    << R"(","processes":)" << pids_.size() << R"(,"connections":)" << TotalConnections()
    << R"(,"ready":)" << t.ready << R"(,"failed":)" << t.failed << R"(,"dropped":)" << t.dropped
    << R"(,"first_error":")" << Escape(t.first_error) << '"';
  return j.str();
}

void Coordinator::Emit(const std::string& json) {
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);
  if (!o_.json_out.empty()) {
    std::ofstream(o_.json_out) << json << "\n";
  }
}

int Coordinator::Fanout() {
  int total = o_.subscribers;
  if (!WaitReady(total)) {
    StopWorkers();
    return 2;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  HttpPublisher pub;
  std::string error;
  if (!pub.Connect(ep, endpoint_.addr, endpoint_.host_header, o_.api_path, o_.api_key, 1, error)) {
    std::fprintf(stderr, "[%s] %s\n", o_.label.c_str(), error.c_str());
    StopWorkers();
    return 2;
  }
  constexpr uint64_t kWakeTag = 2;
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.u64 = kWakeTag;
  epoll_ctl(ep, EPOLL_CTL_ADD, control_->wake_fd, &wake);
  uint64_t subs = Sum().ready;
  std::string channel = ChannelFor(o_, 0), payload;
  uint64_t t0 = NowNs();
  uint64_t from = t0 + static_cast<uint64_t>(o_.warmup * 1e9);
  uint64_t to = from + static_cast<uint64_t>(o_.duration * 1e9);
  control_->run_start_ns = t0;
  control_->measure_from_ns = from;
  control_->measure_to_ns = to;
  SetPhase(kRun);
  uint32_t seq = 0;
  uint64_t delivered_from = 0, delivered_to = 0, sent_from = 0, sent_to = 0;
  bool in_window = false, broken = false;
  CpuPair cpu_from, cpu_to;
  epoll_event events[4];
  constexpr uint64_t kMaxHttpInFlight = 4096;
  for (;;) {
    uint64_t now = NowNs();
    if (!in_window && now >= from) {
      in_window = true;
      delivered_from = Sum().delivered;
      sent_from = pub.sent();
      cpu_from = CpuNow();
    }
    if (now >= to) {
      delivered_to = Sum().delivered;
      sent_to = pub.sent();
      cpu_to = CpuNow();
      break;
    }
    Totals t = Sum();
    for (;;) {
      if (pub.in_flight() >= kMaxHttpInFlight) break;
      if (o_.rate > 0) {
        double due = o_.rate * static_cast<double>(now - t0) / 1e9;
        if (static_cast<double>(pub.sent()) >= due) break;
      } else {
        // Closed loop: at most `window` publications not yet delivered to every subscriber.
        // Small enough that no server goes into its backpressure path (a few KB per socket),
        // large enough to keep both cores busy.
        uint64_t outstanding = pub.sent() * subs - std::min(pub.sent() * subs, t.delivered);
        if (outstanding >= static_cast<uint64_t>(o_.window) * subs) {
          control_->wake_requested.store(1, std::memory_order_relaxed);
          break;
        }
      }
      Marker m;
      m.seq = ++seq;
      m.sent_ns = NowNs();
      BuildPayload(m, static_cast<size_t>(o_.payload), payload);
      pub.Publish(channel, payload);
      if (o_.rate <= 0) t.delivered = Sum().delivered;
    }
    if (!pub.Flush()) broken = true;
    // Woken by the publisher socket, by a worker after deliveries (max mode), or by a 1 ms tick.
    int k = epoll_wait(ep, events, 4, 1);
    for (int i = 0; i < k; ++i) {
      if (events[i].data.u64 == kWakeTag) {
        uint64_t v;
        (void)!read(control_->wake_fd, &v, sizeof(v));
      } else if (!pub.OnEvents(events[i].events)) {
        broken = true;
      }
    }
    if (broken) {
      std::fprintf(stderr, "[%s] publisher: %s\n", o_.label.c_str(), pub.error().c_str());
      delivered_to = Sum().delivered;
      sent_to = pub.sent();
      cpu_to = CpuNow();
      break;
    }
    char buf[96];
    std::snprintf(buf, sizeof(buf), " published=%llu acked=%llu",
                  static_cast<unsigned long long>(pub.sent()),
                  static_cast<unsigned long long>(pub.acked()));
    extra_progress_ = buf;
    Progress("fanout");
  }
  double window_s = static_cast<double>(to - from) / 1e9;
  if (broken) window_s = std::max(1e-9, static_cast<double>(NowNs() - from) / 1e9);
  // Drain: wait for the replies and for every publication to reach every subscriber.
  SetPhase(kDrain);
  uint64_t drain_deadline = NowNs() + 15000000000ull;
  while (!broken && NowNs() < drain_deadline) {
    int k = epoll_wait(ep, events, 4, 1);
    for (int i = 0; i < k; ++i) {
      if (events[i].data.u64 == kWakeTag) {
        uint64_t v;
        (void)!read(control_->wake_fd, &v, sizeof(v));
      } else if (!pub.OnEvents(events[i].events)) {
        broken = true;
      }
    }
    Totals t = Sum();
    if (pub.in_flight() == 0 && t.unique >= pub.acked() * (t.ready - t.dropped)) break;
    Progress("drain");
  }
  uint64_t acked = pub.acked();
  pub.Close();
  close(ep);
  StopWorkers();
  Totals t = Sum();
  uint64_t expected = acked * t.ready;
  uint64_t lost = expected > t.unique ? expected - t.unique : 0;
  Histogram h = MergedLatency();
  std::ostringstream j;
  j << std::fixed << std::setprecision(3);
  j << CommonJson(t) << R"(,"subscribers":)" << t.ready << R"(,"payload_bytes":)" << o_.payload
    << R"(,"mode":")" << (o_.rate > 0 ? "rate" : "max") << R"(","target_rate":)" << o_.rate
    << R"(,"window_s":)" << window_s << R"(,"published":)" << pub.sent() << R"(,"acked":)" << acked
    << R"(,"publish_failed":)" << pub.failed() << R"(,"publish_per_s":)"
    << static_cast<double>(sent_to - sent_from) / window_s << R"(,"delivered":)" << t.delivered
    << R"(,"delivered_per_s":)" << static_cast<double>(delivered_to - delivered_from) / window_s
    << R"(,"lost":)" << lost << R"(,"duplicated":)" << t.duplicated << R"(,"gaps":)" << t.gaps
    << R"(,"latency_us":)" << LatencyJson(h)
    << CpuJson(cpu_from, cpu_to, window_s, static_cast<double>(delivered_to - delivered_from))
    << R"(,"publisher_error":")" << Escape(pub.error()) << "\"}";
  Emit(j.str());
  return 0;
}

int Coordinator::Chat() {
  int total = o_.rooms * o_.room_size;
  if (!WaitReady(total)) {
    StopWorkers();
    return 2;
  }
  uint64_t t0 = NowNs();
  uint64_t from = t0 + static_cast<uint64_t>(o_.warmup * 1e9);
  uint64_t to = from + static_cast<uint64_t>(o_.duration * 1e9);
  control_->run_start_ns = t0;
  control_->measure_from_ns = from;
  control_->measure_to_ns = to;
  SetPhase(kRun);
  uint64_t delivered_from = 0, sent_from = 0;
  bool in_window = false;
  CpuPair cpu_from;
  while (NowNs() < to) {
    if (!in_window && NowNs() >= from) {
      in_window = true;
      Totals t = Sum();
      delivered_from = t.delivered;
      sent_from = t.pubs_sent;
      cpu_from = CpuNow();
    }
    Progress("chat");
    usleep(2000);
  }
  Totals at_end = Sum();
  CpuPair cpu_to = CpuNow();
  double window_s = static_cast<double>(to - from) / 1e9;
  SetPhase(kDrain);
  uint64_t drain_deadline = NowNs() + 5000000000ull;
  while (NowNs() < drain_deadline) {
    Totals t = Sum();
    if (t.pubs_acked + t.pubs_failed + t.dropped >= t.pubs_sent &&
        t.unique >= t.pubs_acked * static_cast<uint64_t>(o_.room_size)) {
      break;
    }
    Progress("drain");
    usleep(2000);
  }
  StopWorkers();
  Totals t = Sum();
  uint64_t expected = t.pubs_acked * static_cast<uint64_t>(o_.room_size);
  uint64_t lost = expected > t.unique ? expected - t.unique : 0;
  Histogram h = MergedLatency();
  std::ostringstream j;
  j << std::fixed << std::setprecision(3);
  j << CommonJson(t) << R"(,"rooms":)" << o_.rooms << R"(,"room_size":)" << o_.room_size
    << R"(,"member_rate":)" << o_.member_rate << R"(,"payload_bytes":)" << o_.payload
    << R"(,"window_s":)" << window_s << R"(,"published":)" << t.pubs_sent << R"(,"acked":)"
    << t.pubs_acked << R"(,"publish_failed":)" << t.pubs_failed << R"(,"publish_per_s":)"
    << static_cast<double>(at_end.pubs_sent - sent_from) / window_s << R"(,"delivered":)"
    << t.delivered << R"(,"delivered_per_s":)"
    << static_cast<double>(at_end.delivered - delivered_from) / window_s << R"(,"lost":)" << lost
    << R"(,"duplicated":)" << t.duplicated << R"(,"gaps":)" << t.gaps << R"(,"latency_us":)"
    << LatencyJson(h)
    << CpuJson(cpu_from, cpu_to, window_s, static_cast<double>(at_end.delivered - delivered_from))
    << "}";
  Emit(j.str());
  return 0;
}

int Coordinator::Idle() {
  ProcSample before = before_;
  if (!WaitReady(o_.connections)) {
    StopWorkers();
    return 2;
  }
  usleep(1000000);  // let the server settle after the handshakes
  ProcSample s1 = SampleProcess(o_.server_pid);
  uint64_t t1 = NowNs();
  uint64_t pings1 = Sum().pings;
  uint64_t end = t1 + static_cast<uint64_t>(o_.hold * 1e9);
  while (NowNs() < end) {
    Progress("idle");
    usleep(5000);
  }
  ProcSample s2 = SampleProcess(o_.server_pid);
  double held = static_cast<double>(NowNs() - t1) / 1e9;
  Totals t = Sum();
  StopWorkers();
  std::ostringstream j;
  j << std::fixed << std::setprecision(3);
  j << CommonJson(t) << R"(,"channels":)" << (o_.channels > 0 ? o_.channels : o_.connections)
    << R"(,"hold_s":)" << held << R"(,"pings":)" << (t.pings - pings1);
  if (before.ok && s1.ok && s2.ok && t.ready > 0) {
    // Steady state: the end of the hold, after the pings went round and garbage collectors ran.
    auto per_conn = [&](uint64_t rss) {
      return (static_cast<double>(rss) - static_cast<double>(before.rss_bytes)) /
             static_cast<double>(t.ready);
    };
    double cpu = s2.cpu_seconds - s1.cpu_seconds;
    j << R"(,"server_rss_before":)" << before.rss_bytes << R"(,"server_rss_after":)" << s2.rss_bytes
      << R"(,"rss_per_conn_bytes":)" << per_conn(s2.rss_bytes)
      << R"(,"rss_per_conn_after_connect_bytes":)" << per_conn(s1.rss_bytes)
      << R"(,"server_cpu_pct":)" << cpu / held * 100 << R"(,"cpu_us_per_conn_per_s":)"
      << cpu * 1e6 / held / static_cast<double>(t.ready);
  }
  j << "}";
  Emit(j.str());
  return 0;
}

int Coordinator::Connect() {
  int total = o_.connections;
  // Tokens are signed before the clock starts so that only the server's work is timed.
  while (Sum().prepared < pids_.size()) usleep(1000);
  ProcSample before = SampleProcess(o_.server_pid);
  uint64_t t0 = NowNs();
  control_->run_start_ns = t0;
  SetPhase(kRun);
  bool any = WaitReady(total);
  Totals t = Sum();
  uint64_t t1 = NowNs();
  ProcSample after = SampleProcess(o_.server_pid);
  StopWorkers();
  Histogram h = MergedLatency();
  double elapsed = static_cast<double>(t1 - t0) / 1e9;
  std::ostringstream j;
  j << std::fixed << std::setprecision(3);
  j << CommonJson(t) << R"(,"concurrency":)" << o_.concurrency << R"(,"elapsed_s":)" << elapsed
    << R"(,"connects_per_s":)" << static_cast<double>(t.ready) / elapsed << R"(,"latency_us":)"
    << LatencyJson(h);
  if (before.ok && after.ok) {
    j << R"(,"server_cpu_s":)" << after.cpu_seconds - before.cpu_seconds;
  }
  j << "}";
  Emit(j.str());
  return any ? 0 : 2;
}

int Coordinator::Run() {
  // Only loopback: this tool is a load generator for a server on this machine.
  in_addr addr{};
  if (inet_pton(AF_INET, o_.host.c_str(), &addr) != 1 || (ntohl(addr.s_addr) >> 24) != 127) {
    std::fprintf(stderr, "--host must be an IPv4 address in 127.0.0.0/8\n");
    return 2;
  }
  endpoint_.addr.sin_family = AF_INET;
  endpoint_.addr.sin_port = htons(static_cast<uint16_t>(o_.port));
  endpoint_.addr.sin_addr = addr;
  endpoint_.host_header = o_.host + ":" + std::to_string(o_.port);
  endpoint_.ws_path = o_.ws_path;
  endpoint_.protobuf = o_.protobuf;
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  before_ = SampleProcess(o_.server_pid);
  if (!SpawnWorkers()) {
    std::perror("spawning workers");
    StopWorkers();
    return 2;
  }
  switch (o_.scenario) {
    case Scenario::kFanout:
      return Fanout();
    case Scenario::kChat:
      return Chat();
    case Scenario::kIdle:
      return Idle();
    case Scenario::kConnect:
      return Connect();
  }
  return 2;
}

}  // namespace

int RunScenario(const Options& options) {
  Coordinator c(options);
  return c.Run();
}

}  // namespace gyre::bench
