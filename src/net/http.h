// HTTP/1.1 request parsing and response building. Pure functions over bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gyre::net {

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path plus optional ?query
  std::string_view path() const { return std::string_view(target).substr(0, target.find('?')); }
  std::string_view query() const {
    auto q = target.find('?');
    return q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
  }
  int version_minor = 1;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  // Case-insensitive header lookup; empty when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // URL-decoded value of a query parameter; empty when absent.
  std::string QueryParam(std::string_view name) const;
  bool KeepAlive() const;
};

enum class HttpParseStatus { kIncomplete, kDone, kError };

struct HttpParseResult {
  HttpParseStatus status = HttpParseStatus::kIncomplete;
  size_t consumed = 0;
  int error_status = 400;  // HTTP status to answer with on kError
  std::string error;
};

inline constexpr size_t kMaxHeaderBytes = 16 * 1024;

// Parses one request at the start of `data`. Bodies need Content-Length (chunked bodies are
// refused with 411); a body larger than `max_body` is refused with 413.
HttpParseResult ParseHttpRequest(std::string_view data, size_t max_body, HttpRequest& out);

const char* StatusText(int status);

// Builds a complete response. `extra_headers` are full lines without CRLF.
std::string BuildHttpResponse(int status, std::string_view content_type, std::string_view body,
                              bool keep_alive, const std::vector<std::string>& extra_headers = {});

std::string UrlDecode(std::string_view s);

}  // namespace gyre::net
