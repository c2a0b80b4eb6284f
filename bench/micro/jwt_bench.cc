// Connection token verification (spec §3.2): the per-connect cost that bounds a connect storm.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "auth/jwt.h"
#include "config/config.h"

namespace gyre::auth {
namespace {

void BM_VerifyConnectHs256(benchmark::State& state) {
  config::TokenConfig cfg;
  cfg.hmac_secret_key = "bench-secret";
  auto verifier = Verifier::Create(cfg);
  if (!verifier.ok()) {
    state.SkipWithError("cannot create verifier");
    return;
  }
  std::string token =
      SignHs256(R"({"sub":"user-42","exp":4102444800,"info":{"n":"x"}})", "bench-secret");
  const Verifier& v = *verifier.value();
  for (auto _ : state) {
    auto r = v.VerifyConnect(token, 1700000000);
    if (r.status != TokenStatus::kOk) state.SkipWithError("token refused");
    benchmark::DoNotOptimize(r.claims.user.data());
  }
}
BENCHMARK(BM_VerifyConnectHs256);

void BM_VerifyConnectBadSignature(benchmark::State& state) {
  config::TokenConfig cfg;
  cfg.hmac_secret_key = "bench-secret";
  auto verifier = Verifier::Create(cfg);
  if (!verifier.ok()) {
    state.SkipWithError("cannot create verifier");
    return;
  }
  std::string token = SignHs256(R"({"sub":"user-42"})", "other-secret");
  const Verifier& v = *verifier.value();
  for (auto _ : state) benchmark::DoNotOptimize(v.VerifyConnect(token, 1700000000).status);
}
BENCHMARK(BM_VerifyConnectBadSignature);

}  // namespace
}  // namespace gyre::auth
