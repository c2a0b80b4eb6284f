#include "auth/http_get.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

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
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
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

// ---- byte transport: plain TCP or TLS over it ----------------------------------------------

// Sends all of `data` on a non-blocking socket before the deadline.
bool SendAll(int fd, std::string_view data, SteadyClock::time_point deadline, std::string& error) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd, POLLOUT, deadline)) {
        error = "timeout sending request";
        return false;
      }
    } else {
      error = std::string("send: ") + std::strerror(errno);
      return false;
    }
  }
  return true;
}

// Receives at most `size` bytes before the deadline: the count, 0 at the end of the stream, -1 on
// failure (with `error`).
ssize_t ReceiveSome(int fd, char* buf, size_t size, SteadyClock::time_point deadline,
                    std::string& error) {
  for (;;) {
    ssize_t n = ::recv(fd, buf, size, 0);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EINTR) {
      if (!WaitFor(fd, POLLIN, deadline)) {
        error = "timeout reading response";
        return -1;
      }
      continue;
    }
    error = std::string("recv: ") + std::strerror(errno);
    return -1;
  }
}

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};

// The oldest queued OpenSSL error as text (and the queue cleared), or `fallback`.
std::string OpenSslError(std::string_view fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(fallback);
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char addr[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), addr) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), addr) == 1;
}

// A client TLS session over a connected non-blocking socket. OpenSSL reads and writes memory
// buffers; this class moves the bytes between them and the socket itself, so that every wait
// honours the deadline and no write can raise SIGPIPE.
class TlsStream {
 public:
  TlsStream(int fd, SteadyClock::time_point deadline) : fd_(fd), deadline_(deadline) {}

  // Sets up the context and performs the handshake, verifying the peer's certificate chain and
  // that it names `host`.
  bool Handshake(const std::string& host, const std::string& trusted_ca_pem, std::string& error) {
    ERR_clear_error();
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_) {
      error = "tls: " + OpenSslError("cannot create context");
      return false;
    }
    SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
    if (!(trusted_ca_pem.empty() ? LoadDefaultTrust(error) : LoadTrust(trusted_ca_pem, error))) {
      return false;
    }
    ssl_.reset(SSL_new(ctx_.get()));
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    if (!ssl_ || !in || !out) {
      BIO_free(in);
      BIO_free(out);
      error = "tls: " + OpenSslError("cannot create session");
      return false;
    }
    BIO_set_mem_eof_return(in, -1);    // an empty buffer means "wait for the socket"
    SSL_set_bio(ssl_.get(), in, out);  // the session owns both now
    in_ = in;
    out_ = out;
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_.get());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    bool ip = IsIpLiteral(host);
    // RFC 6066: SNI carries DNS names only; an IP literal must match an IP address SAN.
    bool named = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1
                    : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1 &&
                          SSL_set_tlsext_host_name(ssl_.get(), host.c_str()) == 1;
    if (!named) {
      error = "tls: cannot verify against host " + host;
      return false;
    }
    SSL_set_connect_state(ssl_.get());
    if (Drive([this] { return SSL_do_handshake(ssl_.get()); }, error) > 0) return true;
    long verify = SSL_get_verify_result(ssl_.get());
    if (verify != X509_V_OK) {
      error = "tls: certificate verification failed for " + host + ": " +
              X509_verify_cert_error_string(verify);
    } else if (error.empty()) {
      error = "tls: handshake with " + host + " failed";
    }
    return false;
  }

  bool Send(std::string_view data, std::string& error) {
    while (!data.empty()) {
      int chunk = static_cast<int>(std::min<size_t>(data.size(), 1 << 20));
      int n = Drive([&] { return SSL_write(ssl_.get(), data.data(), chunk); }, error);
      if (n <= 0) {
        if (error.empty()) error = "tls: connection closed while sending the request";
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  ssize_t Receive(char* buf, size_t size, std::string& error) {
    int want = static_cast<int>(std::min<size_t>(size, 1 << 20));
    int n = Drive([&] { return SSL_read(ssl_.get(), buf, want); }, error);
    if (n > 0) return n;
    return error.empty() ? 0 : -1;
  }

 private:
  bool LoadDefaultTrust(std::string& error) {
    if (SSL_CTX_set_default_verify_paths(ctx_.get()) == 1) return true;
    error = "tls: cannot load the system's trusted certificates: " + OpenSslError("unknown");
    return false;
  }

  bool LoadTrust(const std::string& pem, std::string& error) {
    X509_STORE* store = SSL_CTX_get_cert_store(ctx_.get());
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    int added = 0;
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      added += X509_STORE_add_cert(store, cert) == 1;
      X509_free(cert);
    }
    BIO_free(bio);
    ERR_clear_error();  // the loop ends on a "no start line" error
    if (added > 0) return true;
    error = "tls: no usable certificate in the trusted CA option";
    return false;
  }

  // Runs `op` (an SSL call) until it completes, moving bytes between OpenSSL and the socket.
  // Returns the call's result when positive; otherwise 0 at a clean end of stream (error empty)
  // or -1 with `error`.
  template <class Op>
  int Drive(Op op, std::string& error) {
    error.clear();
    for (;;) {
      ERR_clear_error();
      int rc = op();
      int reason = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), rc);
      // Whatever the call produced (handshake messages, records, alerts) goes out first.
      if (!Flush(error)) return -1;
      if (rc > 0) return rc;
      if (reason == SSL_ERROR_WANT_READ) {
        if (!Fill(error)) return -1;
        continue;
      }
      if (reason == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify received
      if (reason == SSL_ERROR_SYSCALL && eof_ && ERR_peek_error() == 0) {
        // The peer closed without close_notify. Many servers do; a truncated body is still
        // caught by Content-Length or chunked framing, and by the JSON parser otherwise.
        return 0;
      }
      if (reason == SSL_ERROR_SSL && eof_ &&
          ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        return 0;
      }
      error = "tls: " + OpenSslError(eof_ ? "connection closed" : "protocol error");
      return -1;
    }
  }

  bool Flush(std::string& error) {
    char buf[16 * 1024];
    while (BIO_ctrl_pending(out_) > 0) {
      int n = BIO_read(out_, buf, sizeof buf);
      if (n <= 0) break;
      if (!SendAll(fd_, std::string_view(buf, static_cast<size_t>(n)), deadline_, error)) {
        return false;
      }
    }
    return true;
  }

  bool Fill(std::string& error) {
    if (eof_) {  // OpenSSL wants more than the peer will ever send
      error = "tls: connection closed";
      return false;
    }
    char buf[16 * 1024];
    ssize_t n = ReceiveSome(fd_, buf, sizeof buf, deadline_, error);
    if (n < 0) return false;
    if (n == 0) {
      eof_ = true;
      BIO_set_mem_eof_return(in_, 0);  // now an empty buffer reads as the end of the stream
      return true;
    }
    BIO_write(in_, buf, static_cast<int>(n));
    return true;
  }

  int fd_;
  SteadyClock::time_point deadline_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  bool eof_ = false;
};

// ---- HTTP/1.1 response parsing ------------------------------------------------------------

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
  constexpr std::string_view kHttps = "https://";
  bool tls = false;
  if (url.size() >= kHttps.size() && EqualsIgnoreCase(url.substr(0, kHttps.size()), kHttps)) {
    tls = true;
    url.remove_prefix(kHttps.size());
  } else if (url.size() >= kHttp.size() && EqualsIgnoreCase(url.substr(0, kHttp.size()), kHttp)) {
    url.remove_prefix(kHttp.size());
  } else {
    error = "url must start with http:// or https://";
    return false;
  }
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
  out.tls = tls;
  out.host.assign(host);
  out.port = !port.empty() ? std::string(port) : tls ? "443" : "80";
  out.target = rest.empty() ? "/" : std::string(rest);
  if (out.target.front() == '?') out.target.insert(0, "/");
  return true;
}

bool HttpGet(std::string_view url, std::chrono::milliseconds timeout, HttpResponse& out,
             std::string& error, size_t max_body) {
  HttpGetOptions options;
  options.timeout = timeout;
  options.max_body = max_body;
  return HttpGet(url, options, out, error);
}

bool HttpGet(std::string_view url, const HttpGetOptions& options, HttpResponse& out,
             std::string& error) {
  HttpUrl parsed;
  if (!ParseHttpUrl(url, parsed, error)) return false;
  const size_t max_body = options.max_body;
  const auto deadline = SteadyClock::now() + options.timeout;
  Fd fd(ConnectAny(parsed, deadline, error));
  if (fd.get() < 0) return false;
  std::unique_ptr<TlsStream> tls;
  if (parsed.tls) {
    tls = std::make_unique<TlsStream>(fd.get(), deadline);
    if (!tls->Handshake(parsed.host, options.trusted_ca_pem, error)) return false;
  }

  std::string request = "GET " + parsed.target + " HTTP/1.1\r\nHost: ";
  bool v6 = parsed.host.find(':') != std::string::npos;
  request += v6 ? "[" + parsed.host + "]" : parsed.host;
  if (parsed.port != (parsed.tls ? "443" : "80")) request += ":" + parsed.port;
  request += "\r\nUser-Agent: gyre\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
  if (!(tls ? tls->Send(request, error) : SendAll(fd.get(), request, deadline, error))) {
    return false;
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
    ssize_t n = tls ? tls->Receive(buf, sizeof buf, error)
                    : ReceiveSome(fd.get(), buf, sizeof buf, deadline, error);
    if (n < 0) return false;
    if (n > 0) {
      data.append(buf, static_cast<size_t>(n));
      continue;
    }
    // End of stream.
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
  if (out.body.size() > max_body) {
    error = "response body too large";
    return false;
  }
  out.status = head.status;
  return true;
}

}  // namespace gyre::auth
