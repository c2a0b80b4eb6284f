#include "auth/jws.h"

#include <gtest/gtest.h>

#include "auth/test_keys.h"

namespace gyre::auth {
namespace {

TEST(JwsTest, AlgNames) {
  EXPECT_EQ(ParseAlg("RS384"), Alg::kRS384);
  EXPECT_EQ(ParseAlg("EdDSA"), Alg::kEdDSA);
  EXPECT_EQ(ParseAlg("none"), Alg::kUnknown);
  EXPECT_EQ(ParseAlg("hs256"), Alg::kUnknown);
  EXPECT_EQ(ParseAlg("PS256"), Alg::kUnknown);
  EXPECT_EQ(AlgName(Alg::kES512), "ES512");
  EXPECT_EQ(FamilyOf(Alg::kHS512), KeyFamily::kHmac);
  EXPECT_EQ(FamilyOf(Alg::kUnknown), KeyFamily::kNone);
}

TEST(JwsTest, Base64UrlIsStrict) {
  std::string out;
  EXPECT_TRUE(Base64UrlDecode("-_8", out));
  EXPECT_EQ(out, "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("+/8", out));
  EXPECT_FALSE(Base64UrlDecode("-_8=", out));
  EXPECT_FALSE(Base64UrlDecode("ab c", out));
  EXPECT_FALSE(Base64UrlDecode("a", out));
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(JwsTest, SplitAndHeader) {
  CompactJws jws;
  std::string error;
  std::string token =
      Base64UrlEncode(R"({"alg":"ES256","kid":"k\u0031"})") + "." + Base64UrlEncode("{}") + ".AQI";
  ASSERT_TRUE(SplitCompact(token, jws, error)) << error;
  EXPECT_EQ(jws.payload, "{}");
  EXPECT_EQ(jws.signature, "\x01\x02");
  EXPECT_EQ(jws.signing_input, token.substr(0, token.rfind('.')));
  JoseHeader header;
  ASSERT_TRUE(ParseHeader(jws.header, header, error)) << error;
  EXPECT_EQ(header.alg, Alg::kES256);
  EXPECT_EQ(header.kid, "k1");
  EXPECT_FALSE(ParseHeader(R"({"alg":"HS256","kid":3})", header, error));
  EXPECT_TRUE(ParseHeader(R"({"alg":"XX"})", header, error));
  EXPECT_EQ(header.alg, Alg::kUnknown);
  EXPECT_EQ(header.alg_name, "XX");
}

TEST(JwsTest, HmacComparesWholeSignature) {
  std::string sig = SignHmac(Alg::kHS256, "k", "input");
  ASSERT_EQ(sig.size(), 32u);
  EXPECT_TRUE(VerifyHmac(Alg::kHS256, "k", "input", sig));
  EXPECT_FALSE(VerifyHmac(Alg::kHS256, "k", "input", sig.substr(0, 16)));
  EXPECT_FALSE(VerifyHmac(Alg::kHS256, "k", "input", ""));
  EXPECT_FALSE(VerifyHmac(Alg::kHS384, "k", "input", sig));
  EXPECT_FALSE(VerifyHmac(Alg::kRS256, "k", "input", sig));
}

TEST(JwsTest, EcdsaSignatureMustBeRawFixedWidth) {
  auto key = testing::GenEc("P-256");
  std::string raw = testing::SignRaw("ES256", "data", key.get());
  ASSERT_EQ(raw.size(), 64u);
  EXPECT_TRUE(VerifyWithKey(Alg::kES256, key.get(), "data", raw));
  EXPECT_FALSE(VerifyWithKey(Alg::kES256, key.get(), "datb", raw));
  EXPECT_FALSE(VerifyWithKey(Alg::kES256, key.get(), "data", raw.substr(1)));
  EXPECT_FALSE(VerifyWithKey(Alg::kES384, key.get(), "data", raw));
  EXPECT_FALSE(VerifyWithKey(Alg::kRS256, key.get(), "data", raw));
  // A DER signature is not what JWS carries.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key.get());
  unsigned char der[128];
  size_t len = sizeof der;
  EVP_DigestSign(ctx, der, &len, reinterpret_cast<const unsigned char*>("data"), 4);
  EVP_MD_CTX_free(ctx);
  EXPECT_FALSE(VerifyWithKey(Alg::kES256, key.get(), "data",
                             std::string_view(reinterpret_cast<char*>(der), len)));
}

TEST(JwsTest, LoadPemAcceptsSpkiPkcs1AndCertificateOnlyKeys) {
  auto rsa = testing::GenRsa(1024);
  std::string error;
  auto key = LoadPemPublicKey(testing::PublicPem(rsa.get()), error);
  ASSERT_TRUE(key) << error;
  EXPECT_EQ(FamilyOfKey(key.get()), KeyFamily::kRsa);
  // PKCS#1 "RSA PUBLIC KEY".
  BIO* bio = BIO_new(BIO_s_mem());
  OSSL_ENCODER_CTX* ectx = OSSL_ENCODER_CTX_new_for_pkey(rsa.get(), OSSL_KEYMGMT_SELECT_PUBLIC_KEY,
                                                         "PEM", "type-specific", nullptr);
  ASSERT_TRUE(ectx);
  ASSERT_EQ(OSSL_ENCODER_to_bio(ectx, bio), 1);
  OSSL_ENCODER_CTX_free(ectx);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pkcs1(data, static_cast<size_t>(n));
  BIO_free(bio);
  EXPECT_NE(pkcs1.find("BEGIN RSA PUBLIC KEY"), std::string::npos);
  key = LoadPemPublicKey(pkcs1, error);
  ASSERT_TRUE(key) << error;
  EXPECT_EQ(FamilyOfKey(key.get()), KeyFamily::kRsa);
  EXPECT_FALSE(LoadPemPublicKey("", error));
  EXPECT_FALSE(LoadPemPublicKey("-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----", error));
}

}  // namespace
}  // namespace gyre::auth
