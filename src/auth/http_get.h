// A tiny blocking HTTP/1.1 GET client for fetching JWK sets, over http:// or https://.
//
// It exists so that the auth layer does not depend on the event loops in src/net: a JWKS fetch
// is rare (a cache miss, at most once per few seconds) and bounded by `timeout`. https:// uses
// OpenSSL with the system's trust store (default verify paths), SNI and hostname (or IP address)
// verification; certificate verification cannot be turned off. Name resolution uses getaddrinfo,
// which the timeout does not cover. No signal is raised when the peer closes early.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace gyre::auth {

struct HttpResponse {
  int status = 0;
  std::string body;  // de-chunked when the server used chunked transfer coding
};

struct HttpUrl {
  bool tls = false;    // https://
  std::string host;    // without the brackets of an IPv6 literal
  std::string port;    // "80" (http) or "443" (https) unless given
  std::string target;  // path and query, "/" at least
};

struct HttpGetOptions {
  // The whole exchange (connect, TLS handshake, send, receive) must finish within this.
  std::chrono::milliseconds timeout{1000};
  size_t max_body = 1 << 20;  // larger bodies are refused
  // Test-only: PEM certificates to trust for https:// instead of the system's trust store (the
  // peer is still verified against them, hostname included). Empty = the system's store.
  std::string trusted_ca_pem;
};

// Parses "http[s]://host[:port][/path][?query]" (IPv6 literals in brackets). False when
// malformed or when the scheme is neither http nor https.
bool ParseHttpUrl(std::string_view url, HttpUrl& out, std::string& error);

// Sends a GET and reads the whole response.
bool HttpGet(std::string_view url, const HttpGetOptions& options, HttpResponse& out,
             std::string& error);
// Same, with default options but for `timeout` and `max_body`.
bool HttpGet(std::string_view url, std::chrono::milliseconds timeout, HttpResponse& out,
             std::string& error, size_t max_body = 1 << 20);

}  // namespace gyre::auth
