// WebSocket glue between net (frames) and core (Client): the upgrade checks (method, headers,
// allowed origins, subprotocol -> encoding) and one session object per connection that is both
// the connection's WebSocketHandler and the client's Transport.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/loop.h"
#include "core/node.h"
#include "net/connection.h"
#include "net/event_loop.h"

namespace gyre::transport {

// core::Loop over a net::EventLoop.
class LoopAdapter final : public core::Loop {
 public:
  explicit LoopAdapter(net::EventLoop* loop) : loop_(loop) {}
  void Post(std::function<void()> fn) override { loop_->Post(std::move(fn)); }
  TimerWheel& timers() override { return loop_->timers(); }
  int64_t now_ms() const override { return loop_->now_ms(); }
  int index() const override { return loop_->index(); }
  bool InLoopThread() const override { return loop_->InLoopThread(); }
  net::EventLoop* loop() const { return loop_; }

 private:
  net::EventLoop* loop_;
};

// allowed_origins semantics (spec §8.3): no Origin header -> allowed; empty list -> refused;
// "*" -> allowed; otherwise glob patterns matched against the lower-cased Origin.
bool OriginAllowed(const std::vector<std::string>& allowed, std::string_view origin);

// Handles a request to the WebSocket endpoint: answers 400/403 itself or upgrades the
// connection and starts a Client on this loop's Hub.
void HandleWebSocketUpgrade(net::Connection& conn, net::HttpRequest& request, core::Node& node);

}  // namespace gyre::transport
