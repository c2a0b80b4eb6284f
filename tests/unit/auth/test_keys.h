// Test helpers: keys generated at test time, PEM/JWK export and token signing with OpenSSL.
// Independent of src/auth's signature code, so that tests check it against a second
// implementation rather than against itself.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/util.h"

namespace gyre::auth::testing {

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;

inline Key GenRsa(unsigned bits = 2048) {
  return Key(EVP_RSA_gen(bits));
}
inline Key GenEc(const char* curve) {
  return Key(EVP_EC_gen(curve));
}
inline Key GenEd25519() {
  return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}

inline std::string PublicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

inline std::string B64Url(std::string_view in) {
  return Base64Encode(in, true, false);
}

inline std::string BnBytes(const BIGNUM* bn, int width = 0) {
  std::string out(width ? width : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return out;
}

inline const EVP_MD* Md(std::string_view alg) {
  if (alg.ends_with("256")) return EVP_sha256();
  if (alg.ends_with("384")) return EVP_sha384();
  if (alg.ends_with("512")) return EVP_sha512();
  return nullptr;
}

// Signs `input` with `alg`: HS* with `secret`, RS*/ES*/EdDSA with `key`. ECDSA output is the JWS
// raw r||s form.
inline std::string SignRaw(std::string_view alg, std::string_view input, EVP_PKEY* key,
                           std::string_view secret = {}) {
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (alg.starts_with("HS")) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(Md(alg), secret.data(), static_cast<int>(secret.size()), data, input.size(), md, &len);
    return std::string(reinterpret_cast<char*>(md), len);
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = alg == "EdDSA" ? nullptr : Md(alg);
  EVP_DigestSignInit(ctx, nullptr, md, nullptr, key);
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, data, input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, data, input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (alg.starts_with("ES")) {
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    int width = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
    std::string raw = BnBytes(ECDSA_SIG_get0_r(es), width) + BnBytes(ECDSA_SIG_get0_s(es), width);
    ECDSA_SIG_free(es);
    return raw;
  }
  return sig;
}

// A compact JWS over `claims` with header {"alg": alg[, "kid": kid]}.
inline std::string MakeToken(std::string_view alg, std::string_view claims, EVP_PKEY* key,
                             std::string_view secret = {}, std::string_view kid = {}) {
  std::string header = R"({"typ":"JWT","alg":")" + std::string(alg) + "\"";
  if (!kid.empty()) header += R"(,"kid":")" + std::string(kid) + "\"";
  header += "}";
  std::string input = B64Url(header) + "." + B64Url(claims);
  return input + "." + B64Url(SignRaw(alg, input, key, secret));
}

// The public JWK of `key` as JSON (RSA, EC or Ed25519).
inline std::string JwkJson(EVP_PKEY* key, std::string_view kid, std::string_view alg = {},
                           std::string_view use = "sig") {
  std::string out = R"({"kid":")" + std::string(kid) + "\"";
  if (!alg.empty()) out += R"(,"alg":")" + std::string(alg) + "\"";
  if (!use.empty()) out += R"(,"use":")" + std::string(use) + "\"";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: {
      BIGNUM* n = nullptr;
      BIGNUM* e = nullptr;
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
      out +=
          R"(,"kty":"RSA","n":")" + B64Url(BnBytes(n)) + R"(","e":")" + B64Url(BnBytes(e)) + "\"";
      BN_free(n);
      BN_free(e);
      break;
    }
    case EVP_PKEY_EC: {
      BIGNUM* x = nullptr;
      BIGNUM* y = nullptr;
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x);
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
      int bits = EVP_PKEY_get_bits(key);
      int width = (bits + 7) / 8;
      const char* crv = bits == 256 ? "P-256" : bits == 384 ? "P-384" : "P-521";
      out += R"(,"kty":"EC","crv":")" + std::string(crv) + R"(","x":")" +
             B64Url(BnBytes(x, width)) + R"(","y":")" + B64Url(BnBytes(y, width)) + "\"";
      BN_free(x);
      BN_free(y);
      break;
    }
    case EVP_PKEY_ED25519: {
      unsigned char raw[32];
      size_t len = sizeof raw;
      EVP_PKEY_get_raw_public_key(key, raw, &len);
      out += R"(,"kty":"OKP","crv":"Ed25519","x":")" +
             B64Url(std::string_view(reinterpret_cast<char*>(raw), len)) + "\"";
      break;
    }
  }
  return out + "}";
}

}  // namespace gyre::auth::testing
