// Composition root: builds the node, engines, loops and listeners from a Config, routes HTTP
// requests to the WebSocket transport, the server API and health, and shuts down gracefully.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/server_api.h"
#include "base/status.h"
#include "config/config.h"
#include "core/node.h"
#include "net/connection.h"
#include "net/event_loop.h"
#include "net/listener.h"
#include "transport/websocket_transport.h"

namespace gyre::server {

class Server final : public net::HttpHandler {
 public:
  // Fails with a message naming the config key or the address.
  static Result<std::unique_ptr<Server>> Create(const config::Config& config);
  ~Server() override;

  // Binds listeners and starts one thread per loop.
  Result<bool> Start();
  // Closes listeners, disconnects clients with 3001 "shutdown", stops loops, joins threads.
  void Shutdown();
  int port() const;

  void OnHttpRequest(net::Connection& conn, net::HttpRequest& request) override;

 private:
  explicit Server(const config::Config& config);

  config::Config config_;
  net::ConnectionLimits limits_;
  std::vector<std::unique_ptr<net::EventLoop>> loops_;
  std::vector<std::unique_ptr<transport::LoopAdapter>> adapters_;
  std::vector<std::unique_ptr<net::Listener>> listeners_;
  std::vector<std::thread> threads_;
  std::unique_ptr<core::Node> node_;
  std::unique_ptr<api::ServerApi> api_;
};

}  // namespace gyre::server
