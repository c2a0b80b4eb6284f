// JWT claims of connection and subscription tokens (spec §3.2, §4.3), parsed from the payload
// JSON with the allocation-free scanner so that `info`, `data` and `meta` keep their exact bytes.
//
// Types follow Centrifugo's decoder: a known claim of the wrong type makes the token invalid,
// `null` counts as absent, unknown claims are ignored, and a repeated claim keeps its last value.
// Claims that belong to the other kind of token are ignored (e.g. `data` in a connection token),
// except `channel`, which the verifier uses to refuse connection tokens that carry one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"

namespace gyre::auth {

enum class TokenKind : uint8_t { kConnect, kSubscribe };

// Options of one `subs` entry, or of a subscription token, before base64 decoding (which the
// verifier does after the expiry check, in Centrifugo's order).
struct RawSubOptions {
  std::string_view info;  // raw JSON, a view into the payload
  std::string_view data;  // raw JSON, a view into the payload
  std::string b64info;
  std::string b64data;
  Override override_;
};

// Every claim the verifier looks at. Views point into the payload passed to ParseClaims.
struct ParsedClaims {
  std::string sub;
  std::optional<int64_t> exp;
  std::optional<int64_t> nbf;
  std::optional<int64_t> iat;
  std::vector<std::string> aud;
  std::string iss;
  std::string channel;
  std::string client;  // subscription tokens only
  std::optional<int64_t> expire_at;
  RawSubOptions options;  // info/b64info (both kinds); data/b64data/override (subscription)
  std::vector<std::string> channels;                        // connection tokens only
  std::vector<std::pair<std::string, RawSubOptions>> subs;  // connection tokens only
  std::string_view meta;                                    // connection tokens only
};

// Parses the payload JSON. False with `error` naming the claim when a claim is malformed.
bool ParseClaims(std::string_view payload, TokenKind kind, ParsedClaims& out, std::string& error);

// The user ID under `path` (a claim name, or a dotted path into nested objects), rendered the
// way Centrifugo renders it: strings unescaped, other scalars and containers as their JSON text,
// absent or null as "".
std::string LookupUserId(std::string_view payload, std::string_view path);

// Decodes standard base64 (Centrifugo's `b64info`/`b64data`). False when malformed.
bool DecodeStdBase64(std::string_view in, std::string& out);

}  // namespace gyre::auth
