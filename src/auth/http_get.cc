#include "auth/http_get.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/util.h"

namespace gyre::auth {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxHeaderBytes = 64 * 1024;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

int RemainingMs(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits for `events` on `fd` until the deadline. False on timeout or poll failure.
bool WaitFor(int fd, short events, SteadyClock::time_point deadline) {
  for (;;) {
    int ms = RemainingMs(deadline);
    if (ms == 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

int ConnectAny(const HttpUrl& url, SteadyClock::time_point deadline, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &list);
  if (rc != 0) {
    error = "resolve " + url.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  error = "connect " + url.host + ":" + url.port + ": no address";
  int result = -1;
  for (addrinfo* ai = list; ai && result < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                      ai->ai_protocol);
    if (fd < 0) continue;
    int c = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (c != 0 && errno == EINPROGRESS) {
      if (WaitFor(fd, POLLOUT, deadline)) {
        int so_error = 0;
        socklen_t len = sizeof so_error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
        c = so_error == 0 ? 0 : -1;
        errno = so_error;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (c == 0) {
      result = fd;
    } else {
      error = "connect " + url.host + ":" + url.port + ": " + std::strerror(errno);
      ::close(fd);
    }
  }
  ::freeaddrinfo(list);
  return result;
}

size_t FindHeaderEnd(std::string_view data) {
  size_t pos = data.find("\r\n\r\n");
  return pos == std::string_view::npos ? pos : pos + 4;
}

// Decodes a complete chunked body. Returns 1 when complete, 0 when more bytes are needed,
// -1 when malformed.
int Dechunk(std::string_view in, std::string& out) {
  out.clear();
  size_t pos = 0;
  for (;;) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return 0;
    std::string_view line = in.substr(pos, eol - pos);
    size_t semi = line.find(';');  // chunk extensions are ignored
    if (semi != std::string_view::npos) line = line.substr(0, semi);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    size_t size = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || ec != std::errc() || p != line.data() + line.size()) return -1;
    pos = eol + 2;
    if (size == 0) {
      // Trailers, if any, end with an empty line.
      return in.find("\r\n", pos) == std::string_view::npos ? 0 : 1;
    }
    if (in.size() < pos + size + 2) return 0;
    if (in.substr(pos + size, 2) != "\r\n") return -1;
    out.append(in.substr(pos, size));
    pos += size + 2;
  }
}

struct Head {
  int status = 0;
  bool chunked = false;
  bool has_length = false;
  size_t length = 0;
};

bool ParseHead(std::string_view head, Head& out) {
  size_t eol = head.find("\r\n");
  std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.x NNN reason"
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1.") return false;
  auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, out.status);
  if (ec != std::errc() || p != status_line.data() + 12) return false;
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos || end == pos) break;
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
      value.remove_suffix(1);
    }
    if (EqualsIgnoreCase(name, "content-length")) {
      auto [q, ec2] = std::from_chars(value.data(), value.data() + value.size(), out.length);
      if (ec2 != std::errc() || q != value.data() + value.size()) return false;
      out.has_length = true;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      out.chunked = ToLower(value).find("chunked") != std::string::npos;
    }
  }
  return true;
}

}  // namespace

bool ParseHttpUrl(std::string_view url, HttpUrl& out, std::string& error) {
  constexpr std::string_view kHttp = "http://";
  if (url.size() >= 8 && EqualsIgnoreCase(url.substr(0, 8), "https://")) {
    error = "https endpoints are not supported by the built-in fetcher";
    return false;
  }
  if (url.size() < kHttp.size() || !EqualsIgnoreCase(url.substr(0, kHttp.size()), kHttp)) {
    error = "url must start with http://";
    return false;
  }
  url.remove_prefix(kHttp.size());
  size_t end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view() : url.substr(end);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    error = "url has no usable host";
    return false;
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "url has a malformed IPv6 host";
      return false;
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "url has a malformed port";
        return false;
      }
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) {
    error = "url has no host";
    return false;
  }
  if (!port.empty()) {
    for (char c : port) {
      if (c < '0' || c > '9') {
        error = "url has a malformed port";
        return false;
      }
    }
  }
  out.host.assign(host);
  out.port = port.empty() ? "80" : std::string(port);
  out.target = rest.empty() ? "/" : std::string(rest);
  if (out.target.front() == '?') out.target.insert(0, "/");
  return true;
}

bool HttpGet(std::string_view url, std::chrono::milliseconds timeout, HttpResponse& out,
             std::string& error, size_t max_body) {
  HttpUrl parsed;
  if (!ParseHttpUrl(url, parsed, error)) return false;
  const auto deadline = SteadyClock::now() + timeout;
  Fd fd(ConnectAny(parsed, deadline, error));
  if (fd.get() < 0) return false;

  std::string request = "GET " + parsed.target + " HTTP/1.1\r\nHost: ";
  bool v6 = parsed.host.find(':') != std::string::npos;
  request += v6 ? "[" + parsed.host + "]" : parsed.host;
  if (parsed.port != "80") request += ":" + parsed.port;
  request +=
      "\r\nUser-Agent: gyre\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd.get(), POLLOUT, deadline)) {
        error = "timeout sending request";
        return false;
      }
    } else {
      error = std::string("send: ") + std::strerror(errno);
      return false;
    }
  }

  std::string data;
  Head head;
  size_t body_start = std::string::npos;
  char buf[16 * 1024];
  for (;;) {
    if (body_start == std::string::npos) {
      body_start = FindHeaderEnd(data);
      if (body_start != std::string::npos) {
        if (!ParseHead(std::string_view(data).substr(0, body_start), head)) {
          error = "malformed response head";
          return false;
        }
      } else if (data.size() > kMaxHeaderBytes) {
        error = "response head too large";
        return false;
      }
    }
    if (body_start != std::string::npos) {
      std::string_view body = std::string_view(data).substr(body_start);
      if (head.chunked) {
        int state = Dechunk(body, out.body);
        if (state < 0) {
          error = "malformed chunked body";
          return false;
        }
        if (state > 0) break;
      } else if (head.has_length && body.size() >= head.length) {
        out.body.assign(body.substr(0, head.length));
        break;
      }
      if (body.size() > max_body + (head.chunked ? max_body / 8 + 64 : 0)) {
        error = "response body too large";
        return false;
      }
    }
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n > 0) {
      data.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {  // end of stream
      if (body_start == std::string::npos) {
        error = "connection closed before the response head";
        return false;
      }
      if (head.chunked || head.has_length) {
        error = "connection closed before the end of the body";
        return false;
      }
      out.body.assign(std::string_view(data).substr(body_start));
      break;
    }
    if (errno == EAGAIN || errno == EINTR) {
      if (!WaitFor(fd.get(), POLLIN, deadline)) {
        error = "timeout reading response";
        return false;
      }
      continue;
    }
    error = std::string("recv: ") + std::strerror(errno);
    return false;
  }
  if (out.body.size() > max_body) {
    error = "response body too large";
    return false;
  }
  out.status = head.status;
  return true;
}

}  // namespace gyre::auth
