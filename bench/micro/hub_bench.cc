// Hub fan-out: the cost of delivering one publication to N local subscribers, from
// Node::Publish through the engine, the one posted task per loop, Hub::Deliver and each
// client's DeliverPush into its transport queue (no sockets: a transport that only counts).
#include <benchmark/benchmark.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/jwt.h"
#include "base/util.h"
#include "broker/memory/broker_memory.h"
#include "core/client.h"
#include "core/node.h"

namespace gyre::core {
namespace {

class QueueLoop final : public Loop {
 public:
  void Post(std::function<void()> fn) override { q_.push_back(std::move(fn)); }
  TimerWheel& timers() override { return wheel_; }
  int64_t now_ms() const override { return 0; }
  int index() const override { return 0; }
  void Run() {
    while (!q_.empty()) {
      auto fn = std::move(q_.front());
      q_.pop_front();
      fn();
    }
  }

 private:
  std::deque<std::function<void()>> q_;
  TimerWheel wheel_{0};
};

class CountingTransport final : public Transport {
 public:
  proto::Encoding encoding() const override { return proto::Encoding::kJson; }
  void Send(SharedBytes) override { ++sent; }
  void Send(std::string) override { ++sent; }
  size_t QueuedBytes() const override { return 0; }
  void Close(const Disconnect&) override {}
  size_t sent = 0;
};

void BM_HubFanOut(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  config::Config cfg;
  cfg.client.token.hmac_secret_key = "bench";
  cfg.channel.without_namespace.allow_subscribe_for_client = true;
  auto verifier = auth::Verifier::Create(cfg.client.token);
  QueueLoop loop;
  Node node(cfg, *verifier, *verifier, std::make_unique<broker::MemoryBroker>(),
            std::make_unique<broker::MemoryPresence>(), {&loop});
  std::vector<std::unique_ptr<CountingTransport>> transports;
  std::vector<std::unique_ptr<Client>> clients;
  std::string token = auth::SignHs256(R"({"sub":"u"})", "bench");
  for (int i = 0; i < n; ++i) {
    transports.push_back(std::make_unique<CountingTransport>());
    clients.push_back(std::make_unique<Client>(&node, &node.hub(0), transports.back().get(),
                                               proto::Encoding::kJson));
    clients.back()->Start();
    clients.back()->HandleFrame(R"({"id":1,"connect":{"token":")" + token + R"("}})");
    clients.back()->HandleFrame(R"({"id":2,"subscribe":{"channel":"news"}})");
  }
  std::string payload = R"({"k":")" + std::string(92, 'x') + R"("})";
  for (auto _ : state) {
    proto::Publication pub;
    pub.data = payload;
    node.Publish("news", std::move(pub), PublishOptions{}, [](auto) {});
    loop.Run();
  }
  state.SetItemsProcessed(state.iterations() * n);
  for (auto& c : clients) c->OnTransportClosed();
}
BENCHMARK(BM_HubFanOut)->Arg(100)->Arg(1000)->Arg(10000);

}  // namespace
}  // namespace gyre::core
