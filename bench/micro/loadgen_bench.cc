// Per-message costs of the load generator itself, to check that it is much cheaper per message
// than the servers it measures (a publication costs a server at least one send() of ~1-10 us).
#include <benchmark/benchmark.h>

#include <string>

#include "histogram.h"
#include "jwt_signer.h"
#include "payload.h"

namespace gyre::bench {
namespace {

void BM_BuildPayload(benchmark::State& state) {
  std::string out;
  Marker m{1, 0, NowNs()};
  for (auto _ : state) {
    ++m.seq;
    BuildPayload(m, 100, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_BuildPayload);

// What a subscriber does per received JSON push: find and decode the marker.
void BM_FindMarkerInPush(benchmark::State& state) {
  std::string payload;
  BuildPayload(Marker{42, 3, NowNs()}, 100, payload);
  std::string push = R"({"push":{"channel":"bench","pub":{"data":)" + payload + R"(,"offset":7}}})";
  Marker m;
  for (auto _ : state) {
    benchmark::DoNotOptimize(FindMarker(push, m));
  }
}
BENCHMARK(BM_FindMarkerInPush);

void BM_HistogramRecord(benchmark::State& state) {
  static Histogram h;
  h.Clear();
  uint64_t v = 12345;
  for (auto _ : state) {
    h.Record(v);
    v = v * 6364136223846793005ull + 1442695040888963407ull;
    v >>= 40;
  }
  benchmark::DoNotOptimize(h.count());
}
BENCHMARK(BM_HistogramRecord);

void BM_SignConnectToken(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ConnectToken("u" + std::to_string(i++), 2000000000, "bench-secret"));
  }
}
BENCHMARK(BM_SignConnectToken);

}  // namespace
}  // namespace gyre::bench
