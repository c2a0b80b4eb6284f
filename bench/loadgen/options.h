// Command-line options of gyre-bench and the shared-memory layout its processes report through.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "histogram.h"

namespace gyre::bench {

enum class Scenario { kFanout, kChat, kIdle, kConnect };

struct Options {
  Scenario scenario = Scenario::kFanout;
  std::string label = "server";  // name of the server under test, copied into the result
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string ws_path = "/connection/websocket";
  std::string api_path = "/api";
  std::string api_key = "bench-api-key";
  std::string secret = "bench-secret";
  bool protobuf = false;

  int subscribers = 1000;   // fanout
  int rooms = 100;          // chat
  int room_size = 10;       // chat
  int connections = 10000;  // idle, connect
  int channels = 0;         // idle, connect: distinct channels (0 = one per connection)
  int payload = 100;        // bytes of publication data
  double rate = 0;          // fanout: publications/s, 0 = as fast as delivered
  double member_rate = 1;   // chat: publications/s of each member
  int window = 32;          // fanout max mode: publications in flight to the subscribers
  double warmup = 1;        // s
  double duration = 5;      // s of measurement
  double hold = 12;         // idle: s to hold the connections
  double connect_timeout = 60;
  int procs = 0;          // 0 = one per 15,000 connections
  int concurrency = 256;  // handshakes in progress at once (all processes together)
  int sources = 64;       // source addresses 127.0.0.2 .. 127.0.0.(1+sources)
  int server_pid = 0;     // for RSS and CPU of the server (idle, connect)
  std::string json_out;   // also write the result here
  bool quiet = false;     // no progress lines
};

enum Phase : int { kSetup = 0, kRun = 1, kDrain = 2, kExit = 3 };

// Written by one worker, read by the coordinator. Counters are cumulative.
struct alignas(64) WorkerStats {
  std::atomic<uint64_t> prepared;  // tokens signed, ready to connect (connect scenario)
  std::atomic<uint64_t> ready;     // connected and subscribed
  std::atomic<uint64_t> failed;    // failed before becoming ready
  std::atomic<uint64_t> dropped;   // closed by the server after becoming ready
  std::atomic<uint64_t> delivered;
  std::atomic<uint64_t> unique;
  std::atomic<uint64_t> duplicated;
  std::atomic<uint64_t> gaps;
  std::atomic<uint64_t> pings;
  std::atomic<uint64_t> pubs_sent;
  std::atomic<uint64_t> pubs_acked;
  std::atomic<uint64_t> pubs_failed;
  std::atomic<uint64_t> done;  // the histogram below is final
  char first_error[96];
  Histogram latency;  // ns; fanout/chat: publish->delivery, connect: to subscribed
};

struct Control {
  std::atomic<int> phase;
  // Set by the coordinator when it waits for deliveries; a worker that sees it set writes to
  // wake_fd (an eventfd) once, so the publisher reacts at once instead of at its next tick.
  std::atomic<int> wake_requested;
  int wake_fd;
  std::atomic<uint64_t> run_start_ns;
  std::atomic<uint64_t> measure_from_ns;  // latency is recorded for publications sent in
  std::atomic<uint64_t> measure_to_ns;    // [from, to)
};

}  // namespace gyre::bench
