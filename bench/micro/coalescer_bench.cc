// The write coalescer: K queued messages leave a connection as one WebSocket frame in one
// writev (Connection::Flush). Measured over a socketpair whose other end is drained each round.
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "net/connection.h"
#include "net/event_loop.h"

namespace gyre::net {
namespace {

class NoHttp final : public HttpHandler {
 public:
  void OnHttpRequest(Connection&, HttpRequest&) override {}
};

void BM_CoalescedFlush(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  int buf_size = 4 << 20;
  setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &buf_size, sizeof buf_size);
  setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &buf_size, sizeof buf_size);
  EventLoop loop(0);
  NoHttp http;
  ConnectionLimits limits;
  auto* conn = new Connection(&loop, fds[0], &http, &limits, "bench");
  auto message = std::make_shared<const std::string>(
      R"({"push":{"channel":"news","pub":{"data":{"k":")" + std::string(60, 'x') + R"("}}}})");
  std::string sink(1 << 20, '\0');
  for (auto _ : state) {
    for (int i = 0; i < k; ++i) conn->SendMessage(message);
    conn->OnTurnEnd();
    while (::read(fds[1], sink.data(), sink.size()) > 0) {
    }
  }
  state.SetItemsProcessed(state.iterations() * k);
  state.SetBytesProcessed(state.iterations() * k * static_cast<int64_t>(message->size()));
  conn->Abort();
  ::close(fds[1]);
}
BENCHMARK(BM_CoalescedFlush)->Arg(1)->Arg(16)->Arg(128);

}  // namespace
}  // namespace gyre::net
