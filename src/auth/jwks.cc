#include "auth/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "auth/http_get.h"

namespace gyre::auth {

namespace {

// JWK members are base64url without padding (RFC 7518 §6); some publishers pad anyway.
bool DecodeMember(json::Value object, std::string_view name, std::string& out, std::string& error) {
  json::ObjectReader reader(object);
  std::string_view key;
  json::Value v;
  std::string text;
  bool found = false;
  while (reader.Next(key, v)) {
    if (key == name) found = json::GetString(v, text);
  }
  if (!found) {
    error = "member " + std::string(name) + " is missing or not a string";
    return false;
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  if (!Base64UrlDecode(text, out) || out.empty()) {
    error = "member " + std::string(name) + " is not base64url";
    return false;
  }
  return true;
}

struct ParamBldDeleter {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

PublicKey FromData(const char* type, OSSL_PARAM_BLD* builder) {
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(builder));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    key = nullptr;
  }
  ERR_clear_error();
  return WrapKey(key);
}

PublicKey RsaFromJwk(json::Value object, std::string& error) {
  std::string n, e;
  if (!DecodeMember(object, "n", n, error) || !DecodeMember(object, "e", e, error)) return nullptr;
  auto to_bn = [](const std::string& bytes) {
    return std::unique_ptr<BIGNUM, BnDeleter>(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                  static_cast<int>(bytes.size()), nullptr));
  };
  auto bn_n = to_bn(n);
  auto bn_e = to_bn(e);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    error = "cannot build RSA key";
    return nullptr;
  }
  PublicKey key = FromData("RSA", builder.get());
  if (!key) error = "invalid RSA key";
  return key;
}

PublicKey EcFromJwk(json::Value object, std::string_view crv, std::string& error) {
  const char* group = nullptr;
  size_t size = 0;
  if (crv == "P-256") {
    group = "prime256v1";
    size = 32;
  } else if (crv == "P-384") {
    group = "secp384r1";
    size = 48;
  } else if (crv == "P-521") {
    group = "secp521r1";
    size = 66;
  } else {
    error = "unsupported EC curve " + std::string(crv);
    return nullptr;
  }
  std::string x, y;
  if (!DecodeMember(object, "x", x, error) || !DecodeMember(object, "y", y, error)) return nullptr;
  if (x.size() > size || y.size() > size) {
    error = "EC coordinates are too long for " + std::string(crv);
    return nullptr;
  }
  // Uncompressed SEC1 point: 0x04 || X || Y, coordinates left-padded to the field size.
  std::string point(1 + 2 * size, '\0');
  point[0] = 0x04;
  point.replace(1 + size - x.size(), x.size(), x);
  point.replace(1 + 2 * size - y.size(), y.size(), y);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldDeleter> builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    error = "cannot build EC key";
    return nullptr;
  }
  PublicKey key = FromData("EC", builder.get());
  if (!key) error = "invalid EC key (point not on curve?)";
  return key;
}

PublicKey OkpFromJwk(json::Value object, std::string_view crv, std::string& error) {
  if (crv != "Ed25519") {
    error = "unsupported OKP curve " + std::string(crv);
    return nullptr;
  }
  std::string x;
  if (!DecodeMember(object, "x", x, error)) return nullptr;
  if (x.size() != 32) {
    error = "Ed25519 key is not 32 bytes";
    return nullptr;
  }
  PublicKey key = WrapKey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size()));
  ERR_clear_error();
  if (!key) error = "invalid Ed25519 key";
  return key;
}

}  // namespace

bool ParseJwk(json::Value object, Jwk& out, std::string& error) {
  if (object.type != json::Type::kObject) {
    error = "key is not an object";
    return false;
  }
  std::string alg, use, crv;
  json::ObjectReader reader(object);
  std::string_view key;
  json::Value v;
  while (reader.Next(key, v)) {
    std::string* slot = nullptr;
    if (key == "kty") {
      slot = &out.kty;
    } else if (key == "kid") {
      slot = &out.kid;
    } else if (key == "alg") {
      slot = &alg;
    } else if (key == "use") {
      slot = &use;
    } else if (key == "crv") {
      slot = &crv;
    }
    if (slot && !v.is_null() && !json::GetString(v, *slot)) {
      error = "member " + std::string(key) + " is not a string";
      return false;
    }
  }
  if (!reader.ok()) {
    error = "key is not an object";
    return false;
  }
  if (!use.empty() && use != "sig") {
    error = "key use is " + use + ", not sig";
    return false;
  }
  if (!alg.empty()) {
    out.alg = ParseAlg(alg);
    if (out.alg == Alg::kUnknown) {
      error = "unsupported key alg " + alg;
      return false;
    }
  }
  KeyFamily family = KeyFamily::kNone;
  if (out.kty == "RSA") {
    out.key = RsaFromJwk(object, error);
    family = KeyFamily::kRsa;
  } else if (out.kty == "EC") {
    out.key = EcFromJwk(object, crv, error);
    family = KeyFamily::kEc;
  } else if (out.kty == "OKP") {
    out.key = OkpFromJwk(object, crv, error);
    family = KeyFamily::kEd25519;
  } else {
    error = "unsupported key type " + (out.kty.empty() ? std::string("(none)") : out.kty);
    return false;
  }
  if (!out.key) return false;
  if (out.alg != Alg::kUnknown && FamilyOf(out.alg) != family) {
    error = "key alg " + alg + " does not suit key type " + out.kty;
    return false;
  }
  return true;
}

bool ParseJwks(std::string_view text, std::vector<Jwk>& out, std::string& error,
               std::vector<std::string>* skipped) {
  json::Value root = json::Parse(text);
  if (root.type != json::Type::kObject) {
    error = "key set is not a JSON object";
    return false;
  }
  json::ObjectReader reader(root);
  std::string_view key;
  json::Value v;
  json::Value keys;
  while (reader.Next(key, v)) {
    if (key == "keys") keys = v;
  }
  if (keys.type != json::Type::kArray) {
    error = "key set has no keys array";
    return false;
  }
  json::ArrayReader items(keys);
  json::Value item;
  while (items.Next(item)) {
    Jwk jwk;
    std::string why;
    if (ParseJwk(item, jwk, why)) {
      out.push_back(std::move(jwk));
    } else if (skipped) {
      skipped->push_back((jwk.kid.empty() ? std::string("key") : "key " + jwk.kid) + ": " + why);
    }
  }
  if (!items.ok()) {
    error = "key set keys array is malformed";
    return false;
  }
  return true;
}

JwksFetchFn DefaultJwksFetcher() {
  return [](const std::string& url, std::string& body, std::string& error) {
    for (int attempt = 0; attempt < kJwksAttempts; ++attempt) {
      HttpResponse response;
      if (!HttpGet(url, kJwksFetchTimeout, response, error)) continue;
      if (response.status != 200) {
        error = "unexpected status " + std::to_string(response.status);
        continue;
      }
      body = std::move(response.body);
      return true;
    }
    return false;
  };
}

JwksCache::JwksCache(std::string url, JwksFetchFn fetch)
    : url_(std::move(url)), fetch_(fetch ? std::move(fetch) : DefaultJwksFetcher()) {}

std::shared_ptr<const Jwk> JwksCache::Lookup(std::string_view kid) const {
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second;
}

int JwksCache::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

std::shared_ptr<const Jwk> JwksCache::Find(std::string_view kid, int64_t now, std::string& error) {
  if (kid.empty()) {
    error = "token header has no kid";
    return nullptr;
  }
  auto fresh = [&] { return fetched_at_ != 0 && now - fetched_at_ < kJwksTtl; };
  {
    std::lock_guard lock(mu_);
    auto key = Lookup(kid);
    if (key && fresh()) return key;
  }
  // Slow path: one thread fetches, the others wait for its result instead of fetching again.
  std::lock_guard fetch_lock(fetch_mu_);
  {
    std::lock_guard lock(mu_);
    auto key = Lookup(kid);
    if (key && fresh()) return key;
    bool throttled =
        attempted_at_ != 0 && now >= attempted_at_ && now - attempted_at_ < kJwksMinRefetchInterval;
    if (throttled) {
      if (key) return key;  // stale, but the best we have
      error = "no key with kid " + std::string(kid) + " (key set fetched recently)";
      return nullptr;
    }
    attempted_at_ = now;
    ++fetches_;
  }
  std::string body, fetch_error;
  std::vector<Jwk> parsed;
  bool ok = fetch_(url_, body, fetch_error) && ParseJwks(body, parsed, fetch_error);
  std::lock_guard lock(mu_);
  if (ok) {
    KeyMap keys;
    for (auto& jwk : parsed) {
      if (jwk.kid.empty()) continue;  // tokens always name their key
      std::string name = jwk.kid;
      keys[name] = std::make_shared<const Jwk>(std::move(jwk));
    }
    keys_ = std::move(keys);
    fetched_at_ = now;
  }
  auto key = Lookup(kid);
  if (!key) {
    error = ok ? "no key with kid " + std::string(kid) + " in the key set"
               : "fetching key set: " + fetch_error;
  }
  return key;
}

}  // namespace gyre::auth
