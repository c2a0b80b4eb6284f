#include "server/server.h"

#include <sched.h>
#include <sys/epoll.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "auth/jwt.h"
#include "base/log.h"
#include "broker/memory/broker_memory.h"
#include "core/client.h"

namespace gyre::server {

namespace {
// Cores this process may run on (taskset/cgroups), not the machine's count: one loop per
// usable core.
int UsableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}
}  // namespace

Server::Server(const config::Config& config) : config_(config) {}

Server::~Server() {
  Shutdown();
}

Result<std::unique_ptr<Server>> Server::Create(const config::Config& config) {
  std::unique_ptr<Server> s(new Server(config));
  const config::Config& cfg = s->config_;
  if (cfg.engine.type != "memory") {
    return Error{0, "config key \"engine.type\": engine \"" + cfg.engine.type +
                        "\" is not available in this build (use \"memory\")"};
  }
  auto verifier =
      auth::Verifier::Create(cfg.client.token, cfg.client.insecure_skip_token_signature_verify);
  if (!verifier.ok()) return verifier.error();
  std::shared_ptr<auth::Verifier> sub_verifier = *verifier;
  if (cfg.client.subscription_token_enabled) {
    auto sv = auth::Verifier::Create(cfg.client.subscription_token,
                                     cfg.client.insecure_skip_token_signature_verify);
    if (!sv.ok()) return sv.error();
    sub_verifier = *sv;
  }
  s->limits_.max_ws_message = static_cast<uint64_t>(cfg.websocket.message_size_limit);
  int workers = cfg.workers > 0 ? cfg.workers : UsableCores();
  std::vector<core::Loop*> loops;
  for (int i = 0; i < workers; ++i) {
    s->loops_.push_back(std::make_unique<net::EventLoop>(i));
    s->adapters_.push_back(std::make_unique<transport::LoopAdapter>(s->loops_.back().get()));
    loops.push_back(s->adapters_.back().get());
  }
  s->node_ = std::make_unique<core::Node>(cfg, *verifier, sub_verifier,
                                          std::make_unique<broker::MemoryBroker>(),
                                          std::make_unique<broker::MemoryPresence>(), loops);
  s->api_ = std::make_unique<api::ServerApi>(*s->node_);
  return s;
}

Result<bool> Server::Start() {
  for (auto& loop : loops_) {
    auto l = std::make_unique<net::Listener>(loop.get(), this, &limits_);
    auto r = l->Listen(config_.http_server.address, config_.http_server.port);
    if (!r.ok()) return r.error();
    listeners_.push_back(std::move(l));
  }
  for (size_t i = 0; i < loops_.size(); ++i) {
    net::EventLoop* loop = loops_[i].get();
    net::Listener* listener = listeners_[i].get();
    threads_.emplace_back([loop, listener] {
      loop->Post([loop, listener] { loop->Add(listener->fd(), EPOLLIN, listener); });
      loop->Run();
    });
  }
  spdlog::info("gyre {} listening on {}:{} ({} event loops, engine memory)", GYRE_VERSION,
               config_.http_server.address.empty() ? "*" : config_.http_server.address, port(),
               loops_.size());
  return true;
}

int Server::port() const {
  return listeners_.empty() ? 0 : listeners_.front()->port();
}

void Server::Shutdown() {
  if (threads_.empty()) return;
  // Stop accepting, then tell every client to reconnect elsewhere.
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = loops_.size();
  for (size_t i = 0; i < loops_.size(); ++i) {
    net::Listener* listener = listeners_[i].get();
    core::Hub* hub = &node_->hub(static_cast<int>(i));
    loops_[i]->Post([&, listener, hub] {
      listener->Close();
      for (core::Client* c : hub->AllClients()) c->Disconnect(disconnects::Shutdown());
      std::lock_guard lock(mu);
      if (--pending == 0) cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return pending == 0; });
  }
  // Let close frames go out.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (auto& loop : loops_) loop->Stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Server::OnHttpRequest(net::Connection& conn, net::HttpRequest& req) {
  std::string_view path = req.path();
  bool keep = req.KeepAlive();
  if (!config_.websocket.disabled && path == config_.websocket.handler_prefix) {
    transport::HandleWebSocketUpgrade(conn, req, *node_);
    return;
  }
  const std::string& api_prefix = config_.http_api.handler_prefix;
  if (!config_.http_api.disabled &&
      (path == api_prefix ||
       (path.size() > api_prefix.size() && path.substr(0, api_prefix.size()) == api_prefix &&
        path[api_prefix.size()] == '/'))) {
    api_->HandleHttp(conn, req);
    return;
  }
  if (config_.health.enabled && path == config_.health.handler_prefix) {
    conn.SendHttpResponse(net::BuildHttpResponse(200, "application/json", "{}", keep), keep);
    return;
  }
  conn.SendHttpResponse(
      net::BuildHttpResponse(404, "text/plain; charset=utf-8", "404 page not found\n", keep), keep);
}

}  // namespace gyre::server
