// gyre-bench: a load generator for servers that speak the Centrifugo client protocol v2 over
// WebSocket and the Centrifugo server HTTP API. See bench/README.md for the method.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "coordinator.h"
#include "options.h"

namespace {

constexpr const char kUsage[] = R"(usage: gyre-bench SCENARIO [options]

scenarios:
  fanout   N subscribers on one channel; publications through the HTTP API
  chat     ROOMS channels of ROOM_SIZE subscribers; every member publishes over WebSocket
  idle     N connected and subscribed clients that only answer pings; server RSS and CPU
  connect  N JWT connects + subscribes, CONCURRENCY handshakes at a time

options (defaults in brackets):
  --label NAME            server name recorded in the result [server]
  --host IP --port N      server address, must be in 127.0.0.0/8 [127.0.0.1 8000]
  --ws-path P             [/connection/websocket]
  --api-path P            HTTP API prefix [/api]
  --api-key K             [bench-api-key]
  --secret S              HS256 secret for connection tokens [bench-secret]
  --protobuf              use the centrifuge-protobuf subprotocol (default JSON)
  --subscribers N         fanout [1000]
  --rate R                fanout publications/s; 0 = as fast as delivered [0]
  --window W              fanout max mode: publications in flight [32]
  --rooms N --room-size M chat [100 10]
  --member-rate R         chat publications/s per member [1]
  --connections N         idle/connect [10000]
  --channels K            idle/connect distinct channels, 0 = one per connection [0]
  --payload B             publication size in bytes [100]
  --warmup S --duration S measurement window [1 5]
  --hold S                idle hold time [12]
  --connect-timeout S     [60]
  --procs P               worker processes, 0 = one per 15,000 connections [0]
  --concurrency C         handshakes in progress at once [256]
  --sources K             source addresses 127.0.0.2.. [64]
  --server-pid PID        sample the server's RSS and CPU from /proc
  --json FILE             also write the JSON result to FILE
  --quiet                 no progress lines
The JSON result goes to stdout; progress goes to stderr.
)";

[[noreturn]] void Usage(const char* error) {
  if (error != nullptr) std::fprintf(stderr, "gyre-bench: %s\n\n", error);
  std::fputs(kUsage, stderr);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using gyre::bench::Options;
  using gyre::bench::Scenario;
  if (argc < 2) Usage(nullptr);
  Options o;
  std::string scenario = argv[1];
  if (scenario == "fanout") {
    o.scenario = Scenario::kFanout;
  } else if (scenario == "chat") {
    o.scenario = Scenario::kChat;
  } else if (scenario == "idle") {
    o.scenario = Scenario::kIdle;
  } else if (scenario == "connect") {
    o.scenario = Scenario::kConnect;
  } else if (scenario == "-h" || scenario == "--help") {
    Usage(nullptr);
  } else {
    Usage("unknown scenario");
  }
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--protobuf") {
      o.protobuf = true;
      continue;
    }
    if (flag == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= argc) Usage(("missing value for " + flag).c_str());
    const char* v = argv[++i];
    auto num = [&](double lo) {
      char* end = nullptr;
      double d = std::strtod(v, &end);
      if (end == v || *end != 0 || d < lo) Usage(("bad value for " + flag).c_str());
      return d;
    };
    if (flag == "--label")
      o.label = v;
    else if (flag == "--host")
      o.host = v;
    else if (flag == "--port")
      o.port = static_cast<int>(num(1));
    else if (flag == "--ws-path")
      o.ws_path = v;
    else if (flag == "--api-path")
      o.api_path = v;
    else if (flag == "--api-key")
      o.api_key = v;
    else if (flag == "--secret")
      o.secret = v;
    else if (flag == "--subscribers")
      o.subscribers = static_cast<int>(num(1));
    else if (flag == "--rate")
      o.rate = num(0);
    else if (flag == "--window")
      o.window = static_cast<int>(num(1));
    else if (flag == "--rooms")
      o.rooms = static_cast<int>(num(1));
    else if (flag == "--room-size")
      o.room_size = static_cast<int>(num(1));
    else if (flag == "--member-rate")
      o.member_rate = num(0);
    else if (flag == "--connections")
      o.connections = static_cast<int>(num(1));
    else if (flag == "--channels")
      o.channels = static_cast<int>(num(0));
    else if (flag == "--payload")
      o.payload = static_cast<int>(num(0));
    else if (flag == "--warmup")
      o.warmup = num(0);
    else if (flag == "--duration")
      o.duration = num(0.1);
    else if (flag == "--hold")
      o.hold = num(0);
    else if (flag == "--connect-timeout")
      o.connect_timeout = num(1);
    else if (flag == "--procs")
      o.procs = static_cast<int>(num(0));
    else if (flag == "--concurrency")
      o.concurrency = static_cast<int>(num(1));
    else if (flag == "--sources")
      o.sources = static_cast<int>(num(1));
    else if (flag == "--server-pid")
      o.server_pid = static_cast<int>(num(0));
    else if (flag == "--json")
      o.json_out = v;
    else
      Usage(("unknown option " + flag).c_str());
  }
  if (o.sources > 253) Usage("--sources must be at most 253");
  if (o.room_size > 0xffff) Usage("--room-size too large");
  // Bounded in count and time: a mistyped number must not turn into an endless run.
  if (o.duration + o.warmup > 600 || o.hold > 600) Usage("runs are limited to 10 minutes");
  if (o.subscribers > 200000 || o.connections > 200000 ||
      static_cast<int64_t>(o.rooms) * o.room_size > 200000) {
    Usage("at most 200,000 connections");
  }
  return gyre::bench::RunScenario(o);
}
