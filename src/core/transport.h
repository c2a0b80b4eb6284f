// What the core needs from a connection's transport (WebSocket today; SSE/HTTP-streaming later).
// Called only on the loop thread that owns the connection.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "codec/protocol.h"

namespace gyre::core {

using SharedBytes = std::shared_ptr<const std::string>;

class Transport {
 public:
  virtual ~Transport() = default;
  virtual proto::Encoding encoding() const = 0;
  // Queues one wire message (see codec.h). Coalescing and writing happen at the end of the turn.
  virtual void Send(SharedBytes message) = 0;
  virtual void Send(std::string message) = 0;
  virtual size_t QueuedBytes() const = 0;
  // Closes with the disconnect's code and reason; the transport later tells the client it is gone.
  virtual void Close(const Disconnect& disconnect) = 0;
};

}  // namespace gyre::core
