#include "net/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace gyre::net {

Listener::Listener(EventLoop* loop, HttpHandler* handler, const ConnectionLimits* limits)
    : loop_(loop), handler_(handler), limits_(limits) {
  resume_timer_.Set(&Listener::OnResume, this);
}

void Listener::OnResume(void* self) {
  auto* l = static_cast<Listener*>(self);
  if (l->fd_ >= 0) l->loop_->Add(l->fd_, EPOLLIN, l);
}

Listener::~Listener() {
  Close();
}

Result<bool> Listener::Listen(const std::string& address, int port) {
  bool v6 = address.find(':') != std::string::npos;
  fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Error{0, std::string("socket: ") + std::strerror(errno)};
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1) {
      return Error{0, "invalid listen address \"" + address + "\""};
    }
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    std::string addr = address.empty() ? "0.0.0.0" : address;
    if (addr == "localhost") addr = "127.0.0.1";
    if (inet_pton(AF_INET, addr.c_str(), &a->sin_addr) != 1) {
      return Error{0, "invalid listen address \"" + address + "\""};
    }
    len = sizeof *a;
  }
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    return Error{0, "cannot listen on " + (address.empty() ? std::string("*") : address) + ":" +
                        std::to_string(port) + ": " + std::strerror(e)};
  }
  if (::listen(fd_, 4096) != 0) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    return Error{0, std::string("listen: ") + std::strerror(e)};
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof bound;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &blen);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return true;
}

void Listener::Close() {
  if (fd_ < 0) return;
  resume_timer_.Cancel();
  if (loop_->InLoopThread()) loop_->Remove(fd_);
  ::close(fd_);
  fd_ = -1;
}

void Listener::OnIo(uint32_t) {
  // Accept a bounded batch per turn so one busy listener cannot starve established connections.
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // The pending connection stays in the backlog and the level-triggered socket would
        // fire again at once: stop watching it for a moment instead of spinning.
        spdlog::warn("accept: too many open files; pausing accepts for {} ms", kAcceptPauseMs);
        loop_->Remove(fd_);
        loop_->timers().Arm(resume_timer_, kAcceptPauseMs);
      }
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char buf[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
    } else if (ss.ss_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
    }
    new Connection(loop_, fd, handler_, limits_, buf);  // owns itself; freed via DeleteLater
  }
}

}  // namespace gyre::net
