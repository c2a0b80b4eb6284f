#include "auth/jwt.h"

#include <gtest/gtest.h>

#include "auth/test_keys.h"

namespace gyre::auth {
namespace {

using testing::B64Url;
using testing::GenEc;
using testing::GenRsa;
using testing::Key;
using testing::MakeToken;
using testing::PublicPem;

constexpr int64_t kNow = 1'700'000'000;
constexpr const char* kSecret = "secret";

// Keys are generated once per process: RSA generation is slow.
struct Keys {
  Key rsa = GenRsa();
  Key rsa_other = GenRsa();
  Key p256 = GenEc("P-256");
  Key p256_other = GenEc("P-256");
  Key p384 = GenEc("P-384");
  Key p521 = GenEc("P-521");
};
const Keys& K() {
  static const Keys keys;
  return keys;
}

std::shared_ptr<Verifier> MustCreate(const config::TokenConfig& c, bool skip = false) {
  auto r = Verifier::Create(c, skip);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : nullptr;
}

config::TokenConfig Hmac(std::string secret = kSecret) {
  config::TokenConfig c;
  c.hmac_secret_key = std::move(secret);
  return c;
}

// --- Algorithms -----------------------------------------------------------------------------

class AlgTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    const std::string& alg = GetParam();
    if (alg.starts_with("HS")) {
      config_.hmac_secret_key = kSecret;
    } else if (alg.starts_with("RS")) {
      key_ = K().rsa.get();
      other_ = K().rsa_other.get();
      config_.rsa_public_key = PublicPem(key_);
    } else {
      key_ = alg == "ES256" ? K().p256.get() : alg == "ES384" ? K().p384.get() : K().p521.get();
      other_ = alg == "ES256" ? K().p256_other.get() : nullptr;
      config_.ecdsa_public_key = PublicPem(key_);
    }
    verifier_ = MustCreate(config_);
  }
  std::string Sign(std::string_view claims, bool wrong_key = false) {
    const std::string& alg = GetParam();
    if (alg.starts_with("HS")) {
      return MakeToken(alg, claims, nullptr, wrong_key ? "other" : kSecret);
    }
    EVP_PKEY* key = wrong_key ? other_ : key_;
    if (!key) key = K().p256_other.get();  // ES384/ES512: a key of another curve is also wrong
    return MakeToken(alg, claims, key);
  }

  config::TokenConfig config_;
  EVP_PKEY* key_ = nullptr;
  EVP_PKEY* other_ = nullptr;
  std::shared_ptr<Verifier> verifier_;
};

TEST_P(AlgTest, ValidToken) {
  auto r = verifier_->VerifyConnect(Sign(R"({"sub":"42","exp":1700000100})"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk) << r.message;
  EXPECT_EQ(r.claims.user, "42");
  EXPECT_EQ(r.claims.exp, 1700000100);
}

TEST_P(AlgTest, ExpiredToken) {
  auto r = verifier_->VerifyConnect(Sign(R"({"sub":"42","exp":1700000000})"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kExpired);
  r = verifier_->VerifyConnect(Sign(R"({"sub":"42","nbf":1700000001})"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kExpired);
  r = verifier_->VerifyConnect(Sign(R"({"sub":"42","nbf":1700000000})"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk);
}

TEST_P(AlgTest, WrongKeyIsInvalid) {
  auto r = verifier_->VerifyConnect(Sign(R"({"sub":"42"})", true), kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
  // Signature is checked before expiry: a forged expired token is invalid, not expired.
  r = verifier_->VerifyConnect(Sign(R"({"sub":"42","exp":1})", true), kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
}

TEST_P(AlgTest, TamperedPayloadIsInvalid) {
  std::string token = Sign(R"({"sub":"42"})");
  size_t dot1 = token.find('.');
  size_t dot2 = token.find('.', dot1 + 1);
  std::string forged =
      token.substr(0, dot1 + 1) + B64Url(R"({"sub":"admin"})") + token.substr(dot2);
  auto r = verifier_->VerifyConnect(forged, kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
  EXPECT_EQ(r.message, "invalid signature");
}

TEST_P(AlgTest, TruncatedSignatureIsInvalid) {
  std::string token = Sign(R"({"sub":"42"})");
  token.resize(token.size() - 4);
  EXPECT_EQ(verifier_->VerifyConnect(token, kNow).status, TokenStatus::kInvalid);
}

TEST_P(AlgTest, AlgNoneIsInvalid) {
  std::string token = B64Url(R"({"alg":"none"})") + "." + B64Url(R"({"sub":"42"})") + ".";
  auto r = verifier_->VerifyConnect(token, kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
  EXPECT_NE(r.message.find("unsupported"), std::string::npos) << r.message;
}

TEST_P(AlgTest, SubscriptionToken) {
  auto r = verifier_->VerifySubscribe(Sign(R"({"sub":"42","channel":"$a"})"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk) << r.message;
  EXPECT_EQ(r.claims.channel, "$a");
  r = verifier_->VerifySubscribe(Sign(R"({"sub":"42","channel":"$a"})", true), kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
}

INSTANTIATE_TEST_SUITE_P(All, AlgTest,
                         ::testing::Values("HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
                                           "ES256", "ES384", "ES512"));

// --- Key/algorithm matching -----------------------------------------------------------------

TEST(VerifierTest, AlgorithmMustMatchConfiguredKeyType) {
  config::TokenConfig c;
  c.rsa_public_key = PublicPem(K().rsa.get());
  auto v = MustCreate(c);
  // An HMAC token "signed" with the RSA public key PEM as secret: the classic confusion attack.
  auto r = v->VerifyConnect(MakeToken("HS256", R"({"sub":"1"})", nullptr, c.rsa_public_key), kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
  EXPECT_NE(r.message.find("disabled"), std::string::npos) << r.message;
  r = v->VerifyConnect(MakeToken("ES256", R"({"sub":"1"})", K().p256.get()), kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
}

TEST(VerifierTest, EcdsaKeyEnablesOnlyItsCurve) {
  config::TokenConfig c;
  c.ecdsa_public_key = PublicPem(K().p256.get());
  auto v = MustCreate(c);
  EXPECT_EQ(v->VerifyConnect(MakeToken("ES256", "{}", K().p256.get()), kNow).status,
            TokenStatus::kOk);
  EXPECT_EQ(v->VerifyConnect(MakeToken("ES384", "{}", K().p256.get()), kNow).status,
            TokenStatus::kInvalid);
}

TEST(VerifierTest, SeveralKeyTypesAtOnce) {
  config::TokenConfig c = Hmac();
  c.rsa_public_key = PublicPem(K().rsa.get());
  c.ecdsa_public_key = PublicPem(K().p384.get());
  auto v = MustCreate(c);
  EXPECT_EQ(v->VerifyConnect(MakeToken("HS512", "{}", nullptr, kSecret), kNow).status,
            TokenStatus::kOk);
  EXPECT_EQ(v->VerifyConnect(MakeToken("RS384", "{}", K().rsa.get()), kNow).status,
            TokenStatus::kOk);
  EXPECT_EQ(v->VerifyConnect(MakeToken("ES384", "{}", K().p384.get()), kNow).status,
            TokenStatus::kOk);
}

TEST(VerifierTest, NoKeysMeansEveryTokenIsInvalid) {
  auto v = MustCreate(config::TokenConfig{});
  EXPECT_EQ(v->VerifyConnect(MakeToken("HS256", "{}", nullptr, ""), kNow).status,
            TokenStatus::kInvalid);
}

TEST(VerifierTest, SkipSignatureVerifyStillChecksClaims) {
  auto v = MustCreate(Hmac(), /*skip=*/true);
  auto r = v->VerifyConnect(MakeToken("HS256", R"({"sub":"7"})", nullptr, "wrong"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk);
  EXPECT_EQ(r.claims.user, "7");
  r = v->VerifyConnect(MakeToken("HS256", R"({"exp":5})", nullptr, "wrong"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kExpired);
  r = v->VerifyConnect(MakeToken("HS256", R"({"channel":"x"})", nullptr, "wrong"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
}

// --- Malformed tokens -----------------------------------------------------------------------

TEST(VerifierTest, MalformedTokensAreInvalidWithReason) {
  auto v = MustCreate(Hmac());
  auto reason = [&](std::string_view token) {
    auto r = v->VerifyConnect(token, kNow);
    EXPECT_EQ(r.status, TokenStatus::kInvalid) << token;
    return r.message;
  };
  EXPECT_NE(reason("").find("three"), std::string::npos);
  EXPECT_NE(reason("a.b").find("three"), std::string::npos);
  EXPECT_NE(reason("a.b.c.d").find("three"), std::string::npos);
  EXPECT_NE(reason("a+b.e30.x").find("header"), std::string::npos);
  EXPECT_NE(reason(B64Url("{\"alg\":\"HS256\"}") + ".e30=.x").find("payload"), std::string::npos);
  EXPECT_NE(reason(B64Url("not json") + ".e30.AA").find("header"), std::string::npos);
  EXPECT_NE(reason(B64Url("{\"alg\":1}") + ".e30.AA").find("alg"), std::string::npos);
  EXPECT_NE(reason(B64Url("{}") + ".e30.AA").find("alg"), std::string::npos);
  EXPECT_NE(reason(MakeToken("HS256", "[1]", nullptr, kSecret)).find("payload"), std::string::npos);
  EXPECT_NE(reason(MakeToken("HS256", R"({"exp":"1700000100"})", nullptr, kSecret)).find("exp"),
            std::string::npos);
  EXPECT_NE(reason(MakeToken("HS256", R"({"sub":5})", nullptr, kSecret)).find("sub"),
            std::string::npos);
}

// --- Audience and issuer --------------------------------------------------------------------

TEST(VerifierTest, AudienceExact) {
  auto c = Hmac();
  c.audience = "chat";
  auto v = MustCreate(c);
  auto status = [&](std::string_view claims) {
    return v->VerifyConnect(MakeToken("HS256", claims, nullptr, kSecret), kNow).status;
  };
  EXPECT_EQ(status(R"({"aud":"chat"})"), TokenStatus::kOk);
  EXPECT_EQ(status(R"({"aud":["x","chat"]})"), TokenStatus::kOk);
  EXPECT_EQ(status(R"({"aud":"chat2"})"), TokenStatus::kInvalid);
  EXPECT_EQ(status(R"({})"), TokenStatus::kInvalid);
  EXPECT_EQ(status(R"({"aud":5})"), TokenStatus::kInvalid);
  // Not configured: aud is not checked.
  auto plain = MustCreate(Hmac());
  EXPECT_EQ(
      plain->VerifyConnect(MakeToken("HS256", R"({"aud":"x"})", nullptr, kSecret), kNow).status,
      TokenStatus::kOk);
}

TEST(VerifierTest, AudienceRegex) {
  auto c = Hmac();
  c.audience_regex = "^chat-[a-z]+$";
  auto v = MustCreate(c);
  auto status = [&](std::string_view claims) {
    return v->VerifySubscribe(MakeToken("HS256", claims, nullptr, kSecret), kNow).status;
  };
  EXPECT_EQ(status(R"({"channel":"c","aud":"chat-eu"})"), TokenStatus::kOk);
  EXPECT_EQ(status(R"({"channel":"c","aud":["zz","chat-us"]})"), TokenStatus::kOk);
  EXPECT_EQ(status(R"({"channel":"c","aud":"chat-EU"})"), TokenStatus::kInvalid);
  EXPECT_EQ(status(R"({"channel":"c"})"), TokenStatus::kInvalid);
}

TEST(VerifierTest, IssuerExactAndRegex) {
  auto c = Hmac();
  c.issuer = "https://auth.example";
  auto v = MustCreate(c);
  EXPECT_EQ(v->VerifyConnect(
                 MakeToken("HS256", R"({"iss":"https://auth.example"})", nullptr, kSecret), kNow)
                .status,
            TokenStatus::kOk);
  EXPECT_EQ(
      v->VerifyConnect(MakeToken("HS256", R"({"iss":"other"})", nullptr, kSecret), kNow).status,
      TokenStatus::kInvalid);

  auto cr = Hmac();
  cr.issuer_regex = R"(^https://(eu|us)\.auth\.example$)";
  auto vr = MustCreate(cr);
  auto issued_by = [&](std::string_view iss) {
    std::string claims = R"({"iss":")" + std::string(iss) + "\"}";
    return vr->VerifyConnect(MakeToken("HS256", claims, nullptr, kSecret), kNow).status;
  };
  EXPECT_EQ(issued_by("https://eu.auth.example"), TokenStatus::kOk);
  EXPECT_EQ(issued_by("https://xx.auth.example"), TokenStatus::kInvalid);
  EXPECT_EQ(issued_by(""), TokenStatus::kInvalid);
}

TEST(VerifierTest, RegexIsUnanchoredSearchLikeCentrifugo) {
  auto c = Hmac();
  c.issuer_regex = "auth";
  auto v = MustCreate(c);
  EXPECT_EQ(
      v->VerifyConnect(MakeToken("HS256", R"({"iss":"my-auth-server"})", nullptr, kSecret), kNow)
          .status,
      TokenStatus::kOk);
}

// --- HMAC key rotation ----------------------------------------------------------------------

TEST(VerifierTest, PreviousHmacKeyAcceptedUntilValidUntil) {
  auto c = Hmac("new");
  c.hmac_previous_secret_key = "old";
  c.hmac_previous_secret_key_valid_until = kNow + 10;
  auto v = MustCreate(c);
  std::string old_token = MakeToken("HS256", R"({"sub":"u"})", nullptr, "old");
  std::string new_token = MakeToken("HS256", R"({"sub":"u"})", nullptr, "new");
  EXPECT_EQ(v->VerifyConnect(new_token, kNow).status, TokenStatus::kOk);
  EXPECT_EQ(v->VerifyConnect(old_token, kNow).status, TokenStatus::kOk);
  EXPECT_EQ(v->VerifyConnect(old_token, kNow + 10).status, TokenStatus::kOk);
  EXPECT_EQ(v->VerifyConnect(old_token, kNow + 11).status, TokenStatus::kInvalid);
  EXPECT_EQ(v->VerifyConnect(new_token, kNow + 11).status, TokenStatus::kOk);
  EXPECT_EQ(v->VerifyConnect(MakeToken("HS256", "{}", nullptr, "other"), kNow).status,
            TokenStatus::kInvalid);
}

TEST(VerifierTest, PreviousHmacKeyWithoutLimit) {
  auto c = Hmac("new");
  c.hmac_previous_secret_key = "old";
  auto v = MustCreate(c);
  EXPECT_EQ(v->VerifyConnect(MakeToken("HS384", "{}", nullptr, "old"), kNow + 1'000'000).status,
            TokenStatus::kOk);
}

// --- Create ---------------------------------------------------------------------------------

TEST(VerifierCreateTest, MalformedPemNamesTheKey) {
  config::TokenConfig c;
  c.rsa_public_key = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  auto r = Verifier::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("client.token.rsa_public_key: ", 0), 0u) << r.error().message;

  config::TokenConfig e;
  e.ecdsa_public_key = "garbage";
  VerifierOptions options;
  options.config_path = "client.subscription_token";
  r = Verifier::Create(e, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("client.subscription_token.ecdsa_public_key: ", 0), 0u);
}

TEST(VerifierCreateTest, KeyOfWrongTypeIsRefused) {
  config::TokenConfig c;
  c.rsa_public_key = PublicPem(K().p256.get());
  auto r = Verifier::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("rsa_public_key"), std::string::npos);
  config::TokenConfig e;
  e.ecdsa_public_key = PublicPem(K().rsa.get());
  EXPECT_FALSE(Verifier::Create(e).ok());
}

TEST(VerifierCreateTest, BadRegexAndConflictingOptions) {
  auto c = Hmac();
  c.audience_regex = "([";
  auto r = Verifier::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("client.token.audience_regex"), std::string::npos);
  auto both = Hmac();
  both.issuer = "a";
  both.issuer_regex = "a";
  EXPECT_FALSE(Verifier::Create(both).ok());
}

// --- SignHs256 ------------------------------------------------------------------------------

TEST(SignHs256Test, ProducesStandardCompactJws) {
  std::string token = SignHs256(R"({"sub":"1"})", "k");
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.substr(0, token.find('.')), B64Url(R"({"alg":"HS256","typ":"JWT"})"));
  EXPECT_EQ(token.find('='), std::string::npos);
  auto v = MustCreate(Hmac("k"));
  auto r = v->VerifyConnect(token, kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk);
  EXPECT_EQ(r.claims.user, "1");
}

// A known vector: the token from jwt.io's HS256 example (secret "your-256-bit-secret").
TEST(SignHs256Test, KnownVector) {
  std::string token = SignHs256(R"({"sub":"1234567890","name":"John Doe","iat":1516239022})",
                                "your-256-bit-secret");
  EXPECT_EQ(token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
}

}  // namespace
}  // namespace gyre::auth
