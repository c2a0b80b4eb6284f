// Client protocol codec costs (spec §1): decoding the commands a client sends and encoding the
// publication push that the hub encodes once per channel and encoding.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "codec/codec.h"
#include "codec/protocol.h"

namespace gyre::codec {
namespace {

std::string Payload100() {
  std::string p = R"({"k":")";
  p.append(100 - p.size() - 2, 'x');
  p += R"("})";
  return p;
}

void BM_DecodeJsonPublish(benchmark::State& state) {
  std::string frame = R"({"id":7,"publish":{"channel":"chat:1","data":)" + Payload100() + "}}";
  std::vector<proto::Command> out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(DecodeCommands(proto::Encoding::kJson, frame, out));
  }
}
BENCHMARK(BM_DecodeJsonPublish);

void BM_DecodeJsonPong(benchmark::State& state) {
  std::vector<proto::Command> out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(DecodeCommands(proto::Encoding::kJson, "{}", out));
  }
}
BENCHMARK(BM_DecodeJsonPong);

void BM_EncodePublicationPush(benchmark::State& state) {
  auto encoding = static_cast<proto::Encoding>(state.range(0));
  proto::Push push;
  push.channel = "chat:1";
  proto::Publication pub;
  pub.data = Payload100();
  pub.offset = 12345;
  push.body = pub;
  std::string out;
  for (auto _ : state) {
    out.clear();
    EncodePush(encoding, push, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetLabel(encoding == proto::Encoding::kJson ? "json" : "protobuf");
}
BENCHMARK(BM_EncodePublicationPush)->Arg(0)->Arg(1);

void BM_ValidateJsonPayload(benchmark::State& state) {
  std::string payload = Payload100();
  for (auto _ : state) benchmark::DoNotOptimize(IsValidJsonPayload(payload));
}
BENCHMARK(BM_ValidateJsonPayload);

}  // namespace
}  // namespace gyre::codec
