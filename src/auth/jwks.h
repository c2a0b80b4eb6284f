// JSON Web Key Sets (RFC 7517): parsing public keys and a cache keyed by `kid`.
//
// When `client.token.jwks_public_endpoint` is set, tokens are verified only with keys from that
// endpoint. The set is fetched on demand: on the first token, when a token names an unknown
// `kid`, and when the cached set is older than kJwksTtl. A fetch blocks the calling thread (an
// event loop) for at most kJwksAttempts * kJwksFetchTimeout, and an unknown `kid` triggers at most
// one fetch per kJwksMinRefetchInterval, so a flood of tokens with made-up kids cannot turn into a
// flood of requests. If a refresh fails, the previously fetched keys stay in use.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jws.h"
#include "auth/jwt.h"
#include "base/json.h"

namespace gyre::auth {

inline constexpr int64_t kJwksTtl = 3600;              // seconds
inline constexpr int64_t kJwksMinRefetchInterval = 5;  // seconds
inline constexpr std::chrono::milliseconds kJwksFetchTimeout{1000};
inline constexpr int kJwksAttempts = 2;

// One usable key of a set.
struct Jwk {
  std::string kid;
  std::string kty;          // "RSA", "EC" or "OKP"
  Alg alg = Alg::kUnknown;  // from the optional `alg` member; kUnknown when absent
  PublicKey key;
};

// Converts one JWK object to a public key: RSA (n, e), EC (crv P-256/P-384/P-521, x, y) or
// OKP (crv Ed25519, x). False with `error` for other key types or malformed members.
bool ParseJwk(json::Value object, Jwk& out, std::string& error);

// Parses a set ({"keys": [...]}). Keys whose `use` is present and not "sig", and keys that cannot
// be converted, are skipped (reported in `skipped`, if given). False when the document is not a
// key set.
bool ParseJwks(std::string_view text, std::vector<Jwk>& out, std::string& error,
               std::vector<std::string>* skipped = nullptr);

// The default fetcher: HttpGet with kJwksFetchTimeout, up to kJwksAttempts times; a status other
// than 200 is a failure.
JwksFetchFn DefaultJwksFetcher();

// Thread-safe cache of the keys of one endpoint. Time is the caller's unix seconds.
class JwksCache {
 public:
  JwksCache(std::string url, JwksFetchFn fetch);

  // The key named `kid`, fetching the set when needed (see the top of this file); nullptr with
  // `error` when there is none.
  std::shared_ptr<const Jwk> Find(std::string_view kid, int64_t now, std::string& error);

  // Number of fetches attempted so far (for tests and metrics).
  int fetches() const;

 private:
  using KeyMap = std::map<std::string, std::shared_ptr<const Jwk>, std::less<>>;

  std::shared_ptr<const Jwk> Lookup(std::string_view kid) const;  // mu_ held

  const std::string url_;
  const JwksFetchFn fetch_;
  std::mutex fetch_mu_;  // one fetch at a time; taken before mu_
  mutable std::mutex mu_;
  KeyMap keys_;               // guarded by mu_
  int64_t fetched_at_ = 0;    // guarded by mu_; last successful fetch, 0 = never
  int64_t attempted_at_ = 0;  // guarded by mu_; last attempt, 0 = never
  int fetches_ = 0;           // guarded by mu_
};

}  // namespace gyre::auth
