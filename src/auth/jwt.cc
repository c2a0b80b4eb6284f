// The JWT verifier. Decision order follows Centrifugo's jwtverify (spec §3.2, §4.3):
//   1. split and decode the token, parse the header and the claims   -> invalid
//   2. iss/aud regex                                                   -> invalid
//   3. signature (unless skipped), with the key family the alg needs   -> invalid
//   4. exact iss/aud; `channel` in a connection token                  -> invalid
//   5. exp <= now or nbf > now                                         -> expired
//   6. subscription token without `channel`; bad b64info/b64data      -> invalid
#include "auth/jwt.h"

#include <regex>

#include "auth/claims.h"
#include "auth/http_get.h"
#include "auth/jwks.h"
#include "auth/jws.h"

namespace gyre::auth {

namespace {

struct Outcome {
  TokenStatus status = TokenStatus::kInvalid;
  std::string message;
};

Outcome Invalid(std::string message) {
  return {TokenStatus::kInvalid, std::move(message)};
}

// Regex search (unanchored, like Go's regexp.FindStringSubmatch). A regex engine failure on a
// pathological input counts as no match rather than escaping as an exception.
bool Search(const std::regex& re, const std::string& text) {
  try {
    return std::regex_search(text, re);
  } catch (const std::regex_error&) {
    return false;
  }
}

class JwtVerifier final : public Verifier {
 public:
  JwtVerifier() = default;

  Verified<ConnectClaims> VerifyConnect(std::string_view token, int64_t now) const override;
  Verified<SubscribeClaims> VerifySubscribe(std::string_view token, int64_t now) const override;

  std::string hmac_key_;
  std::string hmac_previous_key_;
  int64_t hmac_previous_valid_until_ = 0;  // 0 = no limit
  PublicKey rsa_key_;
  PublicKey ec_key_;
  std::unique_ptr<JwksCache> jwks_;  // set => only JWKS keys are used
  std::string audience_;
  std::optional<std::regex> audience_re_;
  std::string issuer_;
  std::optional<std::regex> issuer_re_;
  std::string user_id_claim_;
  bool skip_signature_ = false;

 private:
  // Steps 1-5 of the decision order; `jws` and `claims` are filled for step 6.
  Outcome Check(std::string_view token, TokenKind kind, int64_t now, CompactJws& jws,
                ParsedClaims& claims) const;
  bool VerifySignature(const CompactJws& jws, const JoseHeader& header, int64_t now,
                       std::string& message) const;
  bool VerifyByJwks(const CompactJws& jws, const JoseHeader& header, int64_t now,
                    std::string& message) const;
  std::string UserOf(const CompactJws& jws, const ParsedClaims& claims) const {
    return user_id_claim_.empty() ? claims.sub : LookupUserId(jws.payload, user_id_claim_);
  }
};

bool JwtVerifier::VerifyByJwks(const CompactJws& jws, const JoseHeader& header, int64_t now,
                               std::string& message) const {
  std::shared_ptr<const Jwk> jwk = jwks_->Find(header.kid, now, message);
  if (!jwk) return false;
  KeyFamily family = FamilyOf(header.alg);
  if (family == KeyFamily::kNone || family == KeyFamily::kHmac ||
      family != FamilyOfKey(jwk->key.get())) {
    message =
        "algorithm " + header.alg_name + " does not suit JWK " + jwk->kid + " (" + jwk->kty + ")";
    return false;
  }
  if (jwk->alg != Alg::kUnknown && jwk->alg != header.alg) {
    message =
        "algorithm " + header.alg_name + " differs from JWK alg " + std::string(AlgName(jwk->alg));
    return false;
  }
  if (!VerifyWithKey(header.alg, jwk->key.get(), jws.signing_input, jws.signature)) {
    message = "invalid signature";
    return false;
  }
  return true;
}

bool JwtVerifier::VerifySignature(const CompactJws& jws, const JoseHeader& header, int64_t now,
                                  std::string& message) const {
  if (header.alg == Alg::kUnknown) {
    message = "unsupported JWT algorithm " + header.alg_name;
    return false;
  }
  if (jwks_) return VerifyByJwks(jws, header, now, message);
  bool enabled = false;
  bool ok = false;
  switch (FamilyOf(header.alg)) {
    case KeyFamily::kHmac: {
      bool previous_usable = !hmac_previous_key_.empty() &&
                             (hmac_previous_valid_until_ <= 0 || now <= hmac_previous_valid_until_);
      enabled = !hmac_key_.empty() || previous_usable;
      ok = (!hmac_key_.empty() &&
            VerifyHmac(header.alg, hmac_key_, jws.signing_input, jws.signature)) ||
           (previous_usable &&
            VerifyHmac(header.alg, hmac_previous_key_, jws.signing_input, jws.signature));
      break;
    }
    case KeyFamily::kRsa:
      enabled = rsa_key_ != nullptr;
      ok = enabled && VerifyWithKey(header.alg, rsa_key_.get(), jws.signing_input, jws.signature);
      break;
    case KeyFamily::kEc: {
      // Like Centrifugo, an ECDSA key enables only the algorithm of its own curve.
      int bits = header.alg == Alg::kES256 ? 256 : header.alg == Alg::kES384 ? 384 : 521;
      enabled = ec_key_ != nullptr && EcCurveBits(ec_key_.get()) == bits;
      ok = enabled && VerifyWithKey(header.alg, ec_key_.get(), jws.signing_input, jws.signature);
      break;
    }
    default:
      break;
  }
  if (!enabled) {
    message = "disabled JWT algorithm " + header.alg_name;
    return false;
  }
  if (!ok) message = "invalid signature";
  return ok;
}

Outcome JwtVerifier::Check(std::string_view token, TokenKind kind, int64_t now, CompactJws& jws,
                           ParsedClaims& claims) const {
  std::string message;
  JoseHeader header;
  if (!SplitCompact(token, jws, message) || !ParseHeader(jws.header, header, message) ||
      !ParseClaims(jws.payload, kind, claims, message)) {
    return Invalid(std::move(message));
  }
  if (issuer_re_ && !Search(*issuer_re_, claims.iss)) return Invalid("issuer not matched");
  if (audience_re_) {
    bool matched = false;
    for (const auto& aud : claims.aud) matched = matched || Search(*audience_re_, aud);
    if (!matched) return Invalid("audience not matched");
  }
  if (!skip_signature_ && !VerifySignature(jws, header, now, message)) {
    return Invalid(std::move(message));
  }
  if (!audience_.empty()) {
    bool matched = false;
    for (const auto& aud : claims.aud) matched = matched || aud == audience_;
    if (!matched) return Invalid("invalid audience");
  }
  if (!issuer_.empty() && claims.iss != issuer_) return Invalid("invalid issuer");
  if (kind == TokenKind::kConnect && !claims.channel.empty()) {
    return Invalid("connection token can not contain channel claim");
  }
  if (claims.exp && *claims.exp <= now) return {TokenStatus::kExpired, "token expired"};
  if (claims.nbf && *claims.nbf > now) return {TokenStatus::kExpired, "token not valid yet"};
  return {TokenStatus::kOk, {}};
}

// info from b64info (wins when non-empty) or the raw JSON.
bool ResolveBytes(std::string_view raw, const std::string& b64, std::string_view name,
                  std::string& out, std::string& message) {
  if (b64.empty()) {
    out.assign(raw);
    return true;
  }
  if (!DecodeStdBase64(b64, out)) {
    message = "claim " + std::string(name) + " is not base64";
    return false;
  }
  return true;
}

Verified<ConnectClaims> JwtVerifier::VerifyConnect(std::string_view token, int64_t now) const {
  Verified<ConnectClaims> result;
  try {
    CompactJws jws;
    ParsedClaims parsed;
    Outcome outcome = Check(token, TokenKind::kConnect, now, jws, parsed);
    if (outcome.status != TokenStatus::kOk) {
      result.status = outcome.status;
      result.message = std::move(outcome.message);
      return result;
    }
    ConnectClaims& c = result.claims;
    if (!ResolveBytes(parsed.options.info, parsed.options.b64info, "b64info", c.info,
                      result.message)) {
      return result;
    }
    for (auto& [channel, raw] : parsed.subs) {
      SubOptions options;
      if (!ResolveBytes(raw.info, raw.b64info, "subs b64info", options.info, result.message) ||
          !ResolveBytes(raw.data, raw.b64data, "subs b64data", options.data, result.message)) {
        return result;
      }
      options.override_ = raw.override_;
      c.subs[channel] = std::move(options);  // a repeated channel keeps its last entry
    }
    c.user = UserOf(jws, parsed);
    c.exp = parsed.exp.value_or(0);
    c.iat = parsed.iat.value_or(0);
    c.expire_at = parsed.expire_at;
    c.channels = std::move(parsed.channels);
    c.meta.assign(parsed.meta);
    result.status = TokenStatus::kOk;
  } catch (...) {  // allocation failure; nothing else throws here
    result = {};
    result.message = "internal error verifying token";
  }
  return result;
}

Verified<SubscribeClaims> JwtVerifier::VerifySubscribe(std::string_view token, int64_t now) const {
  Verified<SubscribeClaims> result;
  try {
    CompactJws jws;
    ParsedClaims parsed;
    Outcome outcome = Check(token, TokenKind::kSubscribe, now, jws, parsed);
    if (outcome.status != TokenStatus::kOk) {
      result.status = outcome.status;
      result.message = std::move(outcome.message);
      return result;
    }
    if (parsed.channel.empty()) {
      result.message = "subscription token has no channel claim";
      return result;
    }
    SubscribeClaims& c = result.claims;
    if (!ResolveBytes(parsed.options.info, parsed.options.b64info, "b64info", c.info,
                      result.message) ||
        !ResolveBytes(parsed.options.data, parsed.options.b64data, "b64data", c.data,
                      result.message)) {
      return result;
    }
    c.user = UserOf(jws, parsed);
    c.channel = std::move(parsed.channel);
    c.client = std::move(parsed.client);
    c.exp = parsed.exp.value_or(0);
    c.iat = parsed.iat.value_or(0);
    c.expire_at = parsed.expire_at;
    c.override_ = parsed.options.override_;
    result.status = TokenStatus::kOk;
  } catch (...) {
    result = {};
    result.message = "internal error verifying token";
  }
  return result;
}

Error ConfigError(const VerifierOptions& options, std::string_view key, std::string_view what) {
  std::string message = options.config_path;
  message.append(".");
  message.append(key);
  message.append(": ");
  message.append(what);
  return Error{0, std::move(message), false};
}

// Compiles `pattern` into `out`; false with `error` set when it is not a valid regex.
bool CompileRegex(const std::string& pattern, std::optional<std::regex>& out, std::string& error) {
  try {
    out.emplace(pattern, std::regex::ECMAScript);
    return true;
  } catch (const std::regex_error& e) {
    error = std::string("invalid regex: ") + e.what();
    return false;
  }
}

}  // namespace

Result<std::shared_ptr<Verifier>> Verifier::Create(const config::TokenConfig& config,
                                                   bool skip_signature_verify) {
  VerifierOptions options;
  options.skip_signature_verify = skip_signature_verify;
  return Create(config, options);
}

Result<std::shared_ptr<Verifier>> Verifier::Create(const config::TokenConfig& config,
                                                   const VerifierOptions& options) {
  auto v = std::make_shared<JwtVerifier>();
  v->skip_signature_ = options.skip_signature_verify;
  v->user_id_claim_ = config.user_id_claim;
  std::string error;

  if (!config.audience.empty() && !config.audience_regex.empty()) {
    return ConfigError(options, "audience_regex", "can not be used together with audience");
  }
  if (!config.issuer.empty() && !config.issuer_regex.empty()) {
    return ConfigError(options, "issuer_regex", "can not be used together with issuer");
  }
  v->audience_ = config.audience;
  v->issuer_ = config.issuer;
  if (!config.audience_regex.empty() &&
      !CompileRegex(config.audience_regex, v->audience_re_, error)) {
    return ConfigError(options, "audience_regex", error);
  }
  if (!config.issuer_regex.empty() && !CompileRegex(config.issuer_regex, v->issuer_re_, error)) {
    return ConfigError(options, "issuer_regex", error);
  }

  if (!config.jwks_public_endpoint.empty()) {
    // Only JWKS keys are used then (Centrifugo ignores the static keys in this case).
    HttpUrl url;
    if (!ParseHttpUrl(config.jwks_public_endpoint, url, error)) {
      bool https = config.jwks_public_endpoint.rfind("https://", 0) == 0;
      if (!https || !options.jwks_fetch) return ConfigError(options, "jwks_public_endpoint", error);
    }
    v->jwks_ = std::make_unique<JwksCache>(config.jwks_public_endpoint, options.jwks_fetch);
    return std::shared_ptr<Verifier>(std::move(v));
  }

  v->hmac_key_ = config.hmac_secret_key;
  v->hmac_previous_key_ = config.hmac_previous_secret_key;
  v->hmac_previous_valid_until_ = config.hmac_previous_secret_key_valid_until;
  if (!config.rsa_public_key.empty()) {
    v->rsa_key_ = LoadPemPublicKey(config.rsa_public_key, error);
    if (!v->rsa_key_) return ConfigError(options, "rsa_public_key", error);
    if (FamilyOfKey(v->rsa_key_.get()) != KeyFamily::kRsa) {
      return ConfigError(options, "rsa_public_key", "not an RSA public key");
    }
  }
  if (!config.ecdsa_public_key.empty()) {
    v->ec_key_ = LoadPemPublicKey(config.ecdsa_public_key, error);
    if (!v->ec_key_) return ConfigError(options, "ecdsa_public_key", error);
    if (EcCurveBits(v->ec_key_.get()) == 0) {
      return ConfigError(options, "ecdsa_public_key",
                         "not an ECDSA public key on P-256, P-384 or P-521");
    }
  }
  return std::shared_ptr<Verifier>(std::move(v));
}

std::string SignHs256(std::string_view claims_json, std::string_view secret) {
  std::string token = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  token.push_back('.');
  token.append(Base64UrlEncode(claims_json));
  std::string signature = SignHmac(Alg::kHS256, secret, token);
  token.push_back('.');
  token.append(Base64UrlEncode(signature));
  return token;
}

}  // namespace gyre::auth
