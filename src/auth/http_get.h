// A tiny blocking HTTP/1.1 GET client for fetching JWK sets.
//
// It exists so that the auth layer does not depend on the event loops in src/net: a JWKS fetch
// is rare (a cache miss, at most once per few seconds) and bounded by `timeout`. Only http:// is
// supported; https:// fails with an explanatory error. Name resolution uses getaddrinfo, which
// the timeout does not cover.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace gyre::auth {

struct HttpResponse {
  int status = 0;
  std::string body;  // de-chunked when the server used chunked transfer coding
};

struct HttpUrl {
  std::string host;
  std::string port;  // "80" unless given
  std::string target;  // path and query, "/" at least
};

// Parses "http://host[:port][/path][?query]" (IPv6 literals in brackets). False when malformed
// or when the scheme is not http.
bool ParseHttpUrl(std::string_view url, HttpUrl& out, std::string& error);

// Sends a GET and reads the whole response (bodies over `max_body` bytes are refused). The
// whole exchange (connect, send, receive) must finish within `timeout`.
bool HttpGet(std::string_view url, std::chrono::milliseconds timeout, HttpResponse& out,
             std::string& error, size_t max_body = 1 << 20);

}  // namespace gyre::auth
