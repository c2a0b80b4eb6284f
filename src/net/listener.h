// A listening socket owned by one event loop. Every loop opens its own socket on the same
// address with SO_REUSEPORT, so the kernel spreads new connections across loops.
#pragma once

#include <string>

#include "base/status.h"
#include "net/connection.h"
#include "net/event_loop.h"

namespace gyre::net {

class Listener final : public IoHandler {
 public:
  Listener(EventLoop* loop, HttpHandler* handler, const ConnectionLimits* limits);
  ~Listener() override;

  // Binds and listens; the error message names the address.
  Result<bool> Listen(const std::string& address, int port);
  // Stops accepting (the socket is closed); existing connections stay.
  void Close();
  int port() const { return port_; }
  int fd() const { return fd_; }

  void OnIo(uint32_t events) override;

 private:
  static constexpr int64_t kAcceptPauseMs = 100;
  static void OnResume(void* self);

  EventLoop* loop_;
  HttpHandler* handler_;
  const ConnectionLimits* limits_;
  int fd_ = -1;
  int port_ = 0;
  Timer resume_timer_;  // re-adds the socket after an accept pause (too many open files)
};

}  // namespace gyre::net
