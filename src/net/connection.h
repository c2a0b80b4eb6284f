// One accepted TCP connection: HTTP/1.1 until upgraded, then WebSocket.
//
// Lives on one EventLoop and is touched only from that loop's thread. Outgoing data is queued and
// written once per loop turn (TurnTask): queued WebSocket messages are coalesced into one frame
// (JSON messages joined by '\n', protobuf messages concatenated) and one writev. Idle connections
// hold no buffers: incoming bytes are parsed straight from the loop's shared read buffer and only
// a partial frame is copied; a backlog exists only while the kernel refuses data.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/timer_wheel.h"
#include "net/event_loop.h"
#include "net/http.h"
#include "net/websocket.h"

namespace gyre::net {

class Connection;
using SharedBytes = std::shared_ptr<const std::string>;

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called for each complete request. The handler must eventually call SendHttpResponse() or
  // AcceptWebSocket() on `conn` (possibly later, from the same loop); reading pauses until then.
  virtual void OnHttpRequest(Connection& conn, HttpRequest& request) = 0;
};

class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // One complete (defragmented) data message.
  virtual void OnWsMessage(Connection& conn, std::string_view payload, bool binary) = 0;
  // The connection is closing or closed, for any reason. Called once; after it returns the
  // handler must not touch `conn` again. `code` is the close code sent or received.
  virtual void OnWsClosed(Connection& conn, uint16_t code) = 0;
};

struct ConnectionLimits {
  size_t max_http_body = 16 * 1024 * 1024;
  uint64_t max_ws_message = 65536;  // websocket.message_size_limit
};

class Connection final : public IoHandler, public TurnTask {
 public:
  Connection(EventLoop* loop, int fd, HttpHandler* http, const ConnectionLimits* limits,
             std::string remote);
  ~Connection() override;

  EventLoop* loop() const { return loop_; }
  const std::string& remote_address() const { return remote_; }
  bool is_websocket() const { return ws_handler_ != nullptr; }
  bool closing() const { return state_ != State::kOpen; }

  // HTTP: queues a complete response. Closes afterwards unless `keep_alive`.
  void SendHttpResponse(std::string response, bool keep_alive);
  // HTTP -> WebSocket: writes the 101 response and switches protocol. `subprotocol` may be empty.
  // `binary` selects binary frames and concatenation (protobuf) instead of text frames joined by
  // '\n' (JSON).
  void AcceptWebSocket(const HttpRequest& request, WebSocketHandler* handler,
                       std::string_view subprotocol, bool binary);

  // WebSocket: queues one wire message; it goes out in this turn's coalesced frame.
  void SendMessage(SharedBytes message);
  void SendMessage(std::string message);
  // Bytes queued but not yet accepted by the kernel.
  size_t queued_bytes() const { return pending_bytes_ + backlog_.size() - backlog_offset_; }
  // WebSocket: sends queued messages, then a close frame, then closes. HTTP: closes after
  // queued responses.
  void Close(uint16_t code, std::string_view reason);
  // Drops the connection now without a closing handshake.
  void Abort();

  void OnIo(uint32_t events) override;
  void OnTurnEnd() override;

 private:
  enum class State : uint8_t { kOpen, kClosing, kClosed };

  void HandleInput(char* data, size_t len);
  size_t ProcessHttp(char* data, size_t len);
  size_t ProcessWebSocket(char* data, size_t len);
  void HandleWsFrame(const WsFrame& frame);
  void ScheduleFlush();
  void Flush();
  void WriteRaw(std::string_view bytes);
  void DrainBacklog();
  // epoll interest from paused_ (reading) and want_write_ (EPOLLOUT).
  void UpdateInterest();
  // Stops reading and destroys the connection once the backlog is written (bounded by the
  // close timeout).
  void CloseAfterFlush();
  bool WriteIov(iovec* iov, int n, size_t total);
  void NotifyClosed(uint16_t code);
  void Destroy();
  static void OnCloseTimer(void* self);

  EventLoop* loop_;
  int fd_;
  State state_ = State::kOpen;
  bool flush_scheduled_ = false;
  bool want_write_ = false;
  bool binary_ = false;
  bool awaiting_response_ = false;
  bool close_after_flush_ = false;
  bool close_frame_sent_ = false;
  bool notified_ = false;
  bool paused_ = false;       // not reading: backlog too large, or closing after the flush
  bool in_fragment_ = false;  // inside a fragmented WebSocket message
  WsOpcode frag_opcode_ = WsOpcode::kText;
  HttpHandler* http_;
  WebSocketHandler* ws_handler_ = nullptr;
  const ConnectionLimits* limits_;
  std::string remote_;
  std::string in_;       // unparsed input (partial frame/request only)
  std::string frag_;     // fragmented message being assembled
  std::string backlog_;  // bytes the kernel did not take yet
  size_t backlog_offset_ = 0;
  std::vector<SharedBytes> pending_;  // WebSocket messages queued this turn
  size_t pending_bytes_ = 0;
  Timer close_timer_;
};

}  // namespace gyre::net
