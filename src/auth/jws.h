// Compact JWS (RFC 7515) pieces shared by the verifier, the JWKS cache and token signing:
// algorithm names, base64url, splitting a token, the JOSE header, public keys and signature
// checks. Pure functions over bytes; every EVP_PKEY here is used read-only, which OpenSSL 3
// allows from many threads at once.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gyre::auth {

// The algorithms Centrifugo accepts (plus EdDSA, which it accepts through JWKS only).
enum class Alg : uint8_t {
  kUnknown,
  kHS256,
  kHS384,
  kHS512,
  kRS256,
  kRS384,
  kRS512,
  kES256,
  kES384,
  kES512,
  kEdDSA,
};

enum class KeyFamily : uint8_t { kNone, kHmac, kRsa, kEc, kEd25519 };

// "none" and anything not listed above map to kUnknown.
Alg ParseAlg(std::string_view name);
std::string_view AlgName(Alg alg);
KeyFamily FamilyOf(Alg alg);

// Base64url without padding, as JWS uses it.
std::string Base64UrlEncode(std::string_view in);
// Strict: only the URL alphabet, no padding, no whitespace. False when malformed.
bool Base64UrlDecode(std::string_view in, std::string& out);

// A token split into its three parts, decoded.
struct CompactJws {
  std::string header;              // JSON text
  std::string payload;             // JSON text
  std::string signature;           // raw bytes
  std::string_view signing_input;  // "<b64 header>.<b64 payload>", a view into the token
};

// Splits `token` (exactly three dot-separated base64url parts). `error` says what was wrong.
bool SplitCompact(std::string_view token, CompactJws& out, std::string& error);

struct JoseHeader {
  Alg alg = Alg::kUnknown;
  std::string alg_name;  // as written, for messages
  std::string kid;
};

// Parses the header JSON; `alg` must be a string (its value may be unknown: callers decide).
bool ParseHeader(std::string_view json, JoseHeader& out, std::string& error);

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
// A public key shared by every thread that verifies with it.
using PublicKey = std::shared_ptr<EVP_PKEY>;
PublicKey WrapKey(EVP_PKEY* key);  // takes ownership; nullptr stays nullptr

// Reads a PEM public key: SubjectPublicKeyInfo, PKCS#1 RSA, or an X.509 certificate (its key).
// nullptr with `error` set when the text holds none of these.
PublicKey LoadPemPublicKey(std::string_view pem, std::string& error);

KeyFamily FamilyOfKey(const EVP_PKEY* key);
// 256, 384 or 521 for the NIST curves; 0 for other keys.
int EcCurveBits(const EVP_PKEY* key);

// Verifies an HMAC signature in constant time. False for a non-HMAC `alg`.
bool VerifyHmac(Alg alg, std::string_view secret, std::string_view input,
                std::string_view signature);
// Verifies an RSA (PKCS#1 v1.5), ECDSA (raw r||s, as JWS encodes it) or Ed25519 signature.
// False when `alg` does not suit the key (family, or curve for ECDSA) or the signature is bad.
bool VerifyWithKey(Alg alg, EVP_PKEY* key, std::string_view input, std::string_view signature);

// HMAC signature of `input` for an HS* `alg`; "" for other algorithms.
std::string SignHmac(Alg alg, std::string_view secret, std::string_view input);

}  // namespace gyre::auth
