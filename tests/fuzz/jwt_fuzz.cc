// Fuzzes token verification with an HS256 verifier. The input is used twice: signed as the claims
// of a token (so claim parsing is reached past the signature check) and as a token itself.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/jwt.h"
#include "fuzz_check.h"

namespace {

constexpr std::string_view kSecret = "fuzz-secret";
constexpr int64_t kNow = 1700000000;

const gyre::auth::Verifier& TheVerifier() {
  static const std::shared_ptr<gyre::auth::Verifier> verifier = [] {
    gyre::config::TokenConfig config;
    config.hmac_secret_key = std::string(kSecret);
    auto created = gyre::auth::Verifier::Create(config);
    FUZZ_CHECK(created.ok());
    return *created;
  }();
  return *verifier;
}

void Verify(std::string_view token) {
  const gyre::auth::Verifier& v = TheVerifier();
  auto connect = v.VerifyConnect(token, kNow);
  if (connect.status != gyre::auth::TokenStatus::kOk) FUZZ_CHECK(!connect.message.empty());
  auto subscribe = v.VerifySubscribe(token, kNow);
  if (subscribe.status == gyre::auth::TokenStatus::kOk) {
    FUZZ_CHECK(!subscribe.claims.channel.empty());  // `channel` is required
  } else {
    FUZZ_CHECK(!subscribe.message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Verify(gyre::auth::SignHs256(input, kSecret));
  Verify(input);
  return 0;
}
