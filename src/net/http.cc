#include "net/http.h"

#include <charconv>

#include "base/util.h"

namespace gyre::net {

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool HttpRequest::HasHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return true;
  }
  return false;
}

std::string HttpRequest::QueryParam(std::string_view name) const {
  std::string_view q = query();
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    if (UrlDecode(key) == name) {
      return eq == std::string_view::npos ? std::string() : UrlDecode(part.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

bool HttpRequest::KeepAlive() const {
  std::string conn = ToLower(Header("Connection"));
  if (version_minor == 0) return conn.find("keep-alive") != std::string::npos;
  return conn.find("close") == std::string::npos;
}

std::string UrlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size()) {
      int v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
      } else {
        out.push_back(c);
      }
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
}  // namespace

HttpParseResult ParseHttpRequest(std::string_view data, size_t max_body, HttpRequest& out) {
  HttpParseResult r;
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (data.size() > kMaxHeaderBytes) {
      r.status = HttpParseStatus::kError;
      r.error_status = 431;
      r.error = "request header too large";
    }
    return r;
  }
  if (head_end > kMaxHeaderBytes) {
    r.status = HttpParseStatus::kError;
    r.error_status = 431;
    r.error = "request header too large";
    return r;
  }
  std::string_view head = data.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  auto fail = [&](int status, std::string msg) {
    r.status = HttpParseStatus::kError;
    r.error_status = status;
    r.error = std::move(msg);
    return r;
  };
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  // sp1 == 0: the method (a token, RFC 9112 §3) is empty.
  if (sp1 == std::string_view::npos || sp1 == 0 || sp2 == sp1) {
    return fail(400, "malformed request line");
  }
  out.method.assign(line.substr(0, sp1));
  out.target.assign(line.substr(sp1 + 1, sp2 - sp1 - 1));
  std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.1")
    out.version_minor = 1;
  else if (version == "HTTP/1.0")
    out.version_minor = 0;
  else
    return fail(505, "unsupported HTTP version");
  if (out.target.empty() || out.target[0] != '/') return fail(400, "malformed request target");

  out.headers.clear();
  size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string_view::npos) e = head.size();
    std::string_view h = head.substr(pos, e - pos);
    size_t colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header line");
    out.headers.emplace_back(std::string(h.substr(0, colon)),
                             std::string(Trim(h.substr(colon + 1))));
    pos = e + 2;
  }

  size_t body_len = 0;
  std::string_view te = out.Header("Transfer-Encoding");
  if (!te.empty() && !EqualsIgnoreCase(te, "identity")) {
    return fail(411, "chunked request bodies are not supported; send Content-Length");
  }
  std::string_view cl = out.Header("Content-Length");
  if (!cl.empty()) {
    auto [p, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), body_len);
    if (ec != std::errc() || p != cl.data() + cl.size())
      return fail(400, "malformed Content-Length");
    if (body_len > max_body) return fail(413, "request body too large");
  }
  size_t total = head_end + 4 + body_len;
  if (data.size() < total) return r;  // incomplete
  out.body.assign(data.substr(head_end + 4, body_len));
  r.status = HttpParseStatus::kDone;
  r.consumed = total;
  return r;
}

const char* StatusText(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string BuildHttpResponse(int status, std::string_view content_type, std::string_view body,
                              bool keep_alive, const std::vector<std::string>& extra_headers) {
  std::string out;
  out.reserve(128 + body.size());
  out.append("HTTP/1.1 ");
  out.append(std::to_string(status));
  out.push_back(' ');
  out.append(StatusText(status));
  out.append("\r\n");
  if (!content_type.empty()) {
    out.append("Content-Type: ");
    out.append(content_type);
    out.append("\r\n");
  }
  out.append("Content-Length: ");
  out.append(std::to_string(body.size()));
  out.append("\r\n");
  if (!keep_alive) out.append("Connection: close\r\n");
  for (const auto& h : extra_headers) {
    out.append(h);
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(body);
  return out;
}

}  // namespace gyre::net
