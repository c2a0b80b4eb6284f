#include "auth/jws.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <cstring>

#include "base/json.h"
#include "base/util.h"

namespace gyre::auth {

namespace {

struct AlgEntry {
  Alg alg;
  std::string_view name;
};

constexpr std::array<AlgEntry, 10> kAlgs = {{
    {Alg::kHS256, "HS256"},
    {Alg::kHS384, "HS384"},
    {Alg::kHS512, "HS512"},
    {Alg::kRS256, "RS256"},
    {Alg::kRS384, "RS384"},
    {Alg::kRS512, "RS512"},
    {Alg::kES256, "ES256"},
    {Alg::kES384, "ES384"},
    {Alg::kES512, "ES512"},
    {Alg::kEdDSA, "EdDSA"},
}};

// The digest of an HS/RS/ES algorithm; nullptr for EdDSA (Ed25519 hashes internally).
const EVP_MD* DigestOf(Alg alg) {
  switch (alg) {
    case Alg::kHS256:
    case Alg::kRS256:
    case Alg::kES256:
      return EVP_sha256();
    case Alg::kHS384:
    case Alg::kRS384:
    case Alg::kES384:
      return EVP_sha384();
    case Alg::kHS512:
    case Alg::kRS512:
    case Alg::kES512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// Checks a signature with the EVP one-shot API (RSA PKCS#1 v1.5, DER ECDSA, Ed25519).
bool EvpVerify(EVP_PKEY* key, const EVP_MD* md, std::string_view input, const unsigned char* sig,
               size_t sig_len) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  bool ok =
      EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx.get(), sig, sig_len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  // Failures leave entries on this thread's OpenSSL error queue; they are expected here.
  if (!ok) ERR_clear_error();
  return ok;
}

// JWS encodes ECDSA signatures as fixed-width big-endian r||s; EVP wants DER.
bool RawEcdsaToDer(std::string_view raw, std::string& der) {
  size_t half = raw.size() / 2;
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(ECDSA_SIG_new());
  if (!sig) return false;
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(half),
                        nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data() + half),
                        static_cast<int>(half), nullptr);
  if (!r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return false;
  der.resize(static_cast<size_t>(len));
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  return i2d_ECDSA_SIG(sig.get(), &p) == len;
}

int CurveBitsFor(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return 256;
    case Alg::kES384:
      return 384;
    case Alg::kES512:
      return 521;
    default:
      return 0;
  }
}

}  // namespace

Alg ParseAlg(std::string_view name) {
  for (const auto& e : kAlgs) {
    if (e.name == name) return e.alg;
  }
  return Alg::kUnknown;
}

std::string_view AlgName(Alg alg) {
  for (const auto& e : kAlgs) {
    if (e.alg == alg) return e.name;
  }
  return "unknown";
}

KeyFamily FamilyOf(Alg alg) {
  switch (alg) {
    case Alg::kHS256:
    case Alg::kHS384:
    case Alg::kHS512:
      return KeyFamily::kHmac;
    case Alg::kRS256:
    case Alg::kRS384:
    case Alg::kRS512:
      return KeyFamily::kRsa;
    case Alg::kES256:
    case Alg::kES384:
    case Alg::kES512:
      return KeyFamily::kEc;
    case Alg::kEdDSA:
      return KeyFamily::kEd25519;
    case Alg::kUnknown:
      break;
  }
  return KeyFamily::kNone;
}

std::string Base64UrlEncode(std::string_view in) {
  return Base64Encode(in, true, false);
}

bool Base64UrlDecode(std::string_view in, std::string& out) {
  for (char c : in) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  auto decoded = Base64Decode(in);
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

bool SplitCompact(std::string_view token, CompactJws& out, std::string& error) {
  size_t dot1 = token.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    error = "token is not three dot-separated parts";
    return false;
  }
  if (!Base64UrlDecode(token.substr(0, dot1), out.header)) {
    error = "header is not base64url";
    return false;
  }
  if (!Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), out.payload)) {
    error = "payload is not base64url";
    return false;
  }
  if (!Base64UrlDecode(token.substr(dot2 + 1), out.signature)) {
    error = "signature is not base64url";
    return false;
  }
  out.signing_input = token.substr(0, dot2);
  return true;
}

bool ParseHeader(std::string_view text, JoseHeader& out, std::string& error) {
  json::Value root = json::Parse(text);
  if (root.type != json::Type::kObject) {
    error = "header is not a JSON object";
    return false;
  }
  json::ObjectReader reader(root);
  std::string_view key;
  json::Value value;
  bool has_alg = false;
  while (reader.Next(key, value)) {
    if (key == "alg") {
      if (!json::GetString(value, out.alg_name)) {
        error = "header alg is not a string";
        return false;
      }
      has_alg = true;
    } else if (key == "kid") {
      if (!value.is_null() && !json::GetString(value, out.kid)) {
        error = "header kid is not a string";
        return false;
      }
    }
  }
  if (!reader.ok()) {
    error = "header is not a JSON object";
    return false;
  }
  if (!has_alg) {
    error = "header has no alg";
    return false;
  }
  out.alg = ParseAlg(out.alg_name);
  return true;
}

void PkeyDeleter::operator()(EVP_PKEY* key) const {
  EVP_PKEY_free(key);
}

PublicKey WrapKey(EVP_PKEY* key) {
  if (!key) return nullptr;
  return PublicKey(key, PkeyDeleter{});
}

PublicKey LoadPemPublicKey(std::string_view pem, std::string& error) {
  EVP_PKEY* key = nullptr;
  OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(
      &key, "PEM", nullptr, nullptr, OSSL_KEYMGMT_SELECT_PUBLIC_KEY, nullptr, nullptr);
  if (dctx) {
    const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
    size_t len = pem.size();
    if (OSSL_DECODER_from_data(dctx, &data, &len) != 1) key = nullptr;
    OSSL_DECODER_CTX_free(dctx);
  }
  if (!key) {
    // An X.509 certificate carries the key too (Centrifugo accepts one).
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (cert) {
      key = X509_get_pubkey(cert);
      X509_free(cert);
    }
  }
  ERR_clear_error();
  if (!key) {
    error = "no PEM public key or certificate found";
    return nullptr;
  }
  return WrapKey(key);
}

KeyFamily FamilyOfKey(const EVP_PKEY* key) {
  if (!key) return KeyFamily::kNone;
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyFamily::kRsa;
    case EVP_PKEY_EC:
      return KeyFamily::kEc;
    case EVP_PKEY_ED25519:
      return KeyFamily::kEd25519;
    default:
      return KeyFamily::kNone;
  }
}

int EcCurveBits(const EVP_PKEY* key) {
  if (FamilyOfKey(key) != KeyFamily::kEc) return 0;
  char name[64];
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof name, &len) != 1) return 0;
  std::string_view group(name, len);
  if (group == "prime256v1" || group == "P-256") return 256;
  if (group == "secp384r1" || group == "P-384") return 384;
  if (group == "secp521r1" || group == "P-521") return 521;
  return 0;
}

bool VerifyHmac(Alg alg, std::string_view secret, std::string_view input,
                std::string_view signature) {
  if (FamilyOf(alg) != KeyFamily::kHmac) return false;
  std::string expected = SignHmac(alg, secret, input);
  // The length of a MAC is public (it follows from the algorithm); the bytes are compared in
  // constant time so that a forger learns nothing from timing.
  return !expected.empty() && expected.size() == signature.size() &&
         CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

bool VerifyWithKey(Alg alg, EVP_PKEY* key, std::string_view input, std::string_view signature) {
  KeyFamily family = FamilyOf(alg);
  if (family == KeyFamily::kNone || family == KeyFamily::kHmac || FamilyOfKey(key) != family) {
    return false;
  }
  const auto* sig = reinterpret_cast<const unsigned char*>(signature.data());
  switch (family) {
    case KeyFamily::kRsa:
      return EvpVerify(key, DigestOf(alg), input, sig, signature.size());
    case KeyFamily::kEc: {
      int bits = CurveBitsFor(alg);
      if (EcCurveBits(key) != bits) return false;
      if (signature.size() != 2 * static_cast<size_t>((bits + 7) / 8)) return false;
      std::string der;
      if (!RawEcdsaToDer(signature, der)) return false;
      return EvpVerify(key, DigestOf(alg), input,
                       reinterpret_cast<const unsigned char*>(der.data()), der.size());
    }
    case KeyFamily::kEd25519:
      return EvpVerify(key, nullptr, input, sig, signature.size());
    default:
      return false;
  }
}

std::string SignHmac(Alg alg, std::string_view secret, std::string_view input) {
  if (FamilyOf(alg) != KeyFamily::kHmac) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  static const unsigned char kEmpty = 0;  // HMAC() wants a non-null key pointer
  const void* key = secret.empty() ? static_cast<const void*>(&kEmpty) : secret.data();
  if (!HMAC(DigestOf(alg), key, static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(input.data()), input.size(), md, &md_len)) {
    ERR_clear_error();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(md), md_len);
}

}  // namespace gyre::auth
