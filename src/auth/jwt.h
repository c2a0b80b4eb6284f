// JWT verification for connection and subscription tokens (spec §3.2, §4.3).
//
// Contract: Verify* never throws and never blocks on I/O, with one exception: with a JWKS
// endpoint configured, a token whose key is not cached fetches the key set synchronously (bounded
// and rate-limited, see auth/jwks.h; keys are cached for an hour). A token is kOk, kExpired
// (signature valid but `exp`/`nbf` out of range: the caller answers 109) or kInvalid (anything
// else: the caller disconnects with 3500 or answers 103, per the spec). `message` says what was
// wrong, for logs. Thread-safe: one Verifier is shared by all event loops.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/config.h"

namespace gyre::auth {

enum class TokenStatus { kOk, kExpired, kInvalid };

// Per-subscription overrides of namespace options (claim `override`).
struct Override {
  std::optional<bool> presence;
  std::optional<bool> join_leave;
  std::optional<bool> force_push_join_leave;
  std::optional<bool> force_recovery;
  std::optional<bool> force_positioning;
};

// One entry of the connection token's `subs` claim.
struct SubOptions {
  std::string info;  // raw bytes: JSON text from `info`, or decoded `b64info`
  std::string data;  // raw bytes: JSON text from `data`, or decoded `b64data`
  Override override_;
};

struct ConnectClaims {
  std::string user;  // `sub` (or token.user_id_claim); "" = anonymous
  int64_t exp = 0;   // 0 = absent
  int64_t iat = 0;
  std::optional<int64_t> expire_at;  // present => overrides exp as connection expiry; 0 = never
  std::string info;                  // raw JSON from `info`, or decoded `b64info` (wins)
  std::vector<std::string> channels;
  std::map<std::string, SubOptions> subs;
  std::string meta;  // raw JSON object, never sent to clients
};

struct SubscribeClaims {
  std::string user;     // `sub`
  std::string channel;  // `channel` (required)
  std::string client;   // deprecated `client`
  int64_t exp = 0;
  int64_t iat = 0;
  std::optional<int64_t> expire_at;
  std::string info;  // raw bytes
  std::string data;  // raw bytes
  Override override_;
};

// Fetches a JWK set document; false with `error` on failure (see auth/jwks.h).
using JwksFetchFn =
    std::function<bool(const std::string& url, std::string& body, std::string& error)>;

struct VerifierOptions {
  // Accept any signature (client.insecure_skip_token_signature_verify); claims are still checked.
  bool skip_signature_verify = false;
  // Prefix of the key names in Create's error messages (client.subscription_token for the
  // separate subscription token config).
  std::string config_path = "client.token";
  // Empty = the built-in HTTP GET (http:// and https://, 1 s timeout, 2 attempts).
  JwksFetchFn jwks_fetch;
};

template <class Claims>
struct Verified {
  TokenStatus status = TokenStatus::kInvalid;
  Claims claims;
  std::string message;  // why the token was refused
};

class Verifier {
 public:
  // Fails (message names the key, e.g. client.token.rsa_public_key) on an unusable key.
  static Result<std::shared_ptr<Verifier>> Create(const config::TokenConfig& config,
                                                  bool skip_signature_verify = false);
  static Result<std::shared_ptr<Verifier>> Create(const config::TokenConfig& config,
                                                  const VerifierOptions& options);

  virtual ~Verifier() = default;
  // `now` is unix seconds.
  virtual Verified<ConnectClaims> VerifyConnect(std::string_view token, int64_t now) const = 0;
  virtual Verified<SubscribeClaims> VerifySubscribe(std::string_view token, int64_t now) const = 0;
};

// Signs an HS256 token over the given claims JSON object (used by `gyre gentoken` and tests).
std::string SignHs256(std::string_view claims_json, std::string_view secret);

}  // namespace gyre::auth
