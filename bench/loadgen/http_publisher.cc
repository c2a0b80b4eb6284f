#include "http_publisher.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace gyre::bench {

bool HttpPublisher::Connect(int epoll_fd, const sockaddr_in& addr, std::string host_header,
                            std::string api_path, std::string api_key, uint64_t tag,
                            std::string& error) {
  epoll_fd_ = epoll_fd;
  tag_ = tag;
  host_header_ = std::move(host_header);
  api_path_ = std::move(api_path);
  api_key_ = std::move(api_key);
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 &&
      errno != EINPROGRESS) {
    error = std::string("connect: ") + std::strerror(errno);
    Close();
    return false;
  }
  pollfd pfd{fd_, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof(err);
  if (::poll(&pfd, 1, 5000) != 1 || getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
      err != 0) {
    error = std::string("connect to the HTTP API failed: ") + std::strerror(err ? err : ETIMEDOUT);
    Close();
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd_, &ev);
  return true;
}

void HttpPublisher::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HttpPublisher::Publish(std::string_view channel, std::string_view data) {
  if (fd_ < 0) return;
  std::string body = R"({"channel":")";
  body += channel;
  body += R"(","data":)";
  body += data;
  body += '}';
  out_ += "POST ";
  out_ += api_path_;
  out_ += "/publish HTTP/1.1\r\nHost: ";
  out_ += host_header_;
  out_ += "\r\nX-API-Key: ";
  out_ += api_key_;
  out_ += "\r\nContent-Type: application/json\r\nContent-Length: ";
  out_ += std::to_string(body.size());
  out_ += "\r\n\r\n";
  out_ += body;
  ++sent_;
}

bool HttpPublisher::Flush() {
  while (!out_.empty()) {
    ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    out_.erase(0, static_cast<size_t>(n));
  }
  UpdateEpoll();
  return true;
}

void HttpPublisher::UpdateEpoll() {
  bool want = !out_.empty();
  if (want == want_write_) return;
  want_write_ = want;
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? static_cast<uint32_t>(EPOLLOUT) : 0u);
  ev.data.u64 = tag_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd_, &ev);
}

bool HttpPublisher::OnEvents(uint32_t events) {
  if (fd_ < 0) return false;
  if ((events & EPOLLOUT) && !Flush()) return false;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0) {
        error_ = "the HTTP API closed the connection";
        return false;
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        error_ = std::string("recv: ") + std::strerror(errno);
        return false;
      }
      in_.append(buf, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof(buf)) break;
    }
    if (!ParseResponses()) return false;
  }
  return true;
}

// Parses complete responses with Content-Length or chunked bodies.
bool HttpPublisher::ParseResponses() {
  size_t pos = 0;
  for (;;) {
    std::string_view view(in_.data() + pos, in_.size() - pos);
    size_t head_end = view.find("\r\n\r\n");
    if (head_end == std::string_view::npos) break;
    std::string_view head = view.substr(0, head_end);
    if (!head.starts_with("HTTP/1.")) {
      error_ = "malformed HTTP response";
      return false;
    }
    bool ok = head.size() > 12 && head.substr(9, 3) == "200";
    std::string lower(head);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t body_start = head_end + 4;
    size_t consumed = 0;
    std::string body;
    if (size_t cl = lower.find("\r\ncontent-length:"); cl != std::string::npos) {
      size_t n = std::strtoul(lower.c_str() + cl + 17, nullptr, 10);
      if (view.size() < body_start + n) break;
      body.assign(view.substr(body_start, n));
      consumed = body_start + n;
    } else if (lower.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
      size_t p = body_start;
      bool complete = false;
      for (;;) {
        size_t line_end = view.find("\r\n", p);
        if (line_end == std::string_view::npos) break;
        size_t n = std::strtoul(std::string(view.substr(p, line_end - p)).c_str(), nullptr, 16);
        if (view.size() < line_end + 2 + n + 2) break;
        body.append(view.substr(line_end + 2, n));
        p = line_end + 2 + n + 2;
        if (n == 0) {
          complete = true;
          break;
        }
      }
      if (!complete) break;
      consumed = p;
    } else {
      consumed = body_start;  // no body
    }
    if (ok && body.find("\"error\"") == std::string::npos) {
      ++acked_;
    } else {
      ++failed_;
      if (error_.empty()) error_ = std::string(head.substr(0, head.find("\r\n"))) + " " + body;
    }
    pos += consumed;
  }
  in_.erase(0, pos);
  return true;
}

}  // namespace gyre::bench
