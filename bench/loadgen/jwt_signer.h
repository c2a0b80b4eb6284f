// HS256 JWT signing for the load generator's connect tokens (spec §3.2).
//
// Self-contained on purpose (OpenSSL only): the load generator must not share code with the
// server it measures.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gyre::bench {

// base64url without padding (RFC 7515 §2).
std::string Base64Url(std::string_view bytes);

// Standard base64 with padding (the Sec-WebSocket-Key / Accept headers).
std::string Base64Std(std::string_view bytes);

// Returns header.claims.signature for `claims_json` signed with HMAC-SHA256 over `secret`.
std::string SignHs256(std::string_view claims_json, std::string_view secret);

// A connection token for user `user` that expires at unix time `exp`.
std::string ConnectToken(std::string_view user, int64_t exp, std::string_view secret);

}  // namespace gyre::bench
