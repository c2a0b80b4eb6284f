// A Centrifugo protocol v2 client over WebSocket, reduced to what the load generator needs:
// TCP connect from a chosen 127.0.0.x source, HTTP upgrade, connect with a JWT, one subscribe,
// answering pings, publishing, and recognising publications that carry a benchmark marker.
//
// Cost model: one recv per readiness event into a buffer shared by all clients of the process;
// per-client state is a few dozen bytes plus a leftover buffer that is empty while the client
// is idle. Frames from the server are parsed in place; only fragmented messages and partial
// frames are copied. Not thread-safe: a client belongs to one event loop.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "payload.h"

namespace gyre::bench {

struct Endpoint {
  sockaddr_in addr{};
  std::string host_header;  // "127.0.0.1:8000"
  std::string ws_path = "/connection/websocket";
  bool protobuf = false;  // negotiate the centrifuge-protobuf subprotocol
};

class WsClient;

// Callbacks of a client; implemented by a scenario worker.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  // The connect reply (and the subscribe reply when a channel was given) arrived without error.
  virtual void OnReady(WsClient& client) = 0;
  // One publication carrying a marker; `now_ns` is when its bytes were read.
  virtual void OnPublication(WsClient& client, const Marker& marker, uint64_t now_ns) = 0;
  // Reply to a publish command sent with SendPublish.
  virtual void OnPublishReply(WsClient& client, bool ok) = 0;
  virtual void OnPing(WsClient& client) = 0;
  // The client is gone; `why` is a static string. Not called for Close() by the owner.
  virtual void OnClosed(WsClient& client, const char* why) = 0;
};

class WsClient {
 public:
  enum class Phase : uint8_t { kIdle, kTcp, kUpgrade, kConnect, kSubscribe, kReady, kClosed };

  // Owner-assigned identity, handy inside callbacks.
  uint32_t index = 0;
  uint64_t started_ns = 0;

  // Starts connecting. `token` and `channel` must outlive the handshake (they are read when
  // the connect / subscribe commands are sent). Returns false if the socket could not even be
  // created or bound (the error is in errno); the client is then kClosed.
  bool Start(int epoll_fd, const Endpoint& endpoint, in_addr source, std::string_view token,
             std::string_view channel, WsHandler* handler);

  // Handles epoll readiness for this client's socket.
  void OnEvents(uint32_t events, uint64_t now_ns);

  // Sends a publish command with `data` (raw JSON) to `channel`.
  void SendPublish(std::string_view channel, std::string_view data);

  // Closes without calling OnClosed.
  void Close();

  Phase phase() const { return phase_; }
  int fd() const { return fd_; }

 private:
  void Fail(const char* why);
  void SendRaw(const char* data, size_t len);
  void SendFrame(std::string_view payload);
  void SendConnect();
  void SendSubscribe();
  void OnWritable();
  void OnReadable(uint64_t now_ns);
  // Parses WebSocket frames in `data`; returns the number of bytes consumed.
  size_t ParseFrames(const char* data, size_t len, uint64_t now_ns);
  void HandleMessage(std::string_view msg, uint64_t now_ns);
  void HandleJsonLine(std::string_view line, uint64_t now_ns);
  void HandleProtobufReply(std::string_view msg, uint64_t now_ns);
  void HandleReply(uint32_t id, bool error);
  void UpdateEpoll();

  int fd_ = -1;
  int epoll_fd_ = -1;
  Phase phase_ = Phase::kIdle;
  bool protobuf_ = false;
  bool want_write_ = false;
  uint32_t next_id_ = 3;  // 1 = connect, 2 = subscribe
  uint32_t mask_state_ = 0;
  WsHandler* handler_ = nullptr;
  const Endpoint* endpoint_ = nullptr;
  std::string_view token_;
  std::string_view channel_;
  std::string in_;    // partial frame / HTTP response carried over between reads
  std::string frag_;  // fragmented message being assembled
  std::string out_;   // bytes the kernel did not take yet
};

}  // namespace gyre::bench
