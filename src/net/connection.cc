#include "net/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "base/log.h"

namespace gyre::net {
namespace {
constexpr size_t kReadBufferSize = 64 * 1024;
constexpr int64_t kCloseHandshakeTimeoutMs = 5000;
constexpr size_t kKeptQueueCapacity = 8;
constexpr size_t kMaxScratchKept = 1 << 20;
// Past this many unsent bytes the connection stops reading until the peer catches up, so a peer
// that sends without reading (pipelined requests, pings) cannot grow the backlog without bound.
constexpr size_t kMaxBacklogWhileReading = 1 << 20;
thread_local char tls_read_buffer[kReadBufferSize];
}  // namespace

Connection::Connection(EventLoop* loop, int fd, HttpHandler* http, const ConnectionLimits* limits,
                       std::string remote)
    : loop_(loop), fd_(fd), http_(http), limits_(limits), remote_(std::move(remote)) {
  close_timer_.Set(&Connection::OnCloseTimer, this);
  loop_->Add(fd_, EPOLLIN | EPOLLRDHUP, this);
}

Connection::~Connection() {
  if (fd_ >= 0) {
    loop_->Remove(fd_);
    ::close(fd_);
  }
}

void Connection::OnIo(uint32_t events) {
  if (state_ == State::kClosed) return;
  if (events & (EPOLLERR)) {
    NotifyClosed(1006);
    Destroy();
    return;
  }
  if (events & EPOLLOUT) {
    DrainBacklog();
    if (state_ == State::kClosed) return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
    ssize_t n = ::read(fd_, tls_read_buffer, kReadBufferSize);
    if (n > 0) {
      // While closing we only wait for the peer's close or EOF; extra data is discarded.
      if (state_ == State::kOpen) HandleInput(tls_read_buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      // The peer finished sending (possibly only half-closed): what is queued still goes out.
      NotifyClosed(1006);
      CloseAfterFlush();
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      NotifyClosed(1006);
      Destroy();
    }
  }
}

void Connection::HandleInput(char* data, size_t len) {
  if (!in_.empty() || awaiting_response_) {
    in_.append(data, len);
    if (awaiting_response_) return;
    // Parse from a private copy: handlers may queue output but never touch in_.
    std::string buf;
    buf.swap(in_);
    size_t used = ws_handler_ ? ProcessWebSocket(buf.data(), buf.size())
                              : ProcessHttp(buf.data(), buf.size());
    if (state_ != State::kClosed && used < buf.size()) {
      if (in_.empty()) {
        buf.erase(0, used);
        in_.swap(buf);
      } else {
        in_.insert(0, buf, used, std::string::npos);
      }
    }
    return;
  }
  size_t used = ws_handler_ ? ProcessWebSocket(data, len) : ProcessHttp(data, len);
  if (state_ != State::kClosed && used < len) in_.assign(data + used, len - used);
}

size_t Connection::ProcessHttp(char* data, size_t len) {
  size_t used = 0;
  while (used < len && state_ == State::kOpen && !awaiting_response_ && !ws_handler_) {
    HttpRequest req;
    HttpParseResult r =
        ParseHttpRequest(std::string_view(data + used, len - used), limits_->max_http_body, req);
    if (r.status == HttpParseStatus::kIncomplete) break;
    if (r.status == HttpParseStatus::kError) {
      SendHttpResponse(BuildHttpResponse(r.error_status, "text/plain", r.error + "\n", false),
                       false);
      return len;
    }
    used += r.consumed;
    req.remote_address = remote_;
    awaiting_response_ = true;
    http_->OnHttpRequest(*this, req);
  }
  if (ws_handler_ && used < len && state_ == State::kOpen) {
    used += ProcessWebSocket(data + used, len - used);
  }
  return used;
}

size_t Connection::ProcessWebSocket(char* data, size_t len) {
  size_t used = 0;
  while (used < len && state_ == State::kOpen) {
    WsFrame frame;
    WsParseResult r = ParseWsFrame(data + used, len - used, limits_->max_ws_message, frame);
    if (r.status == WsParseStatus::kIncomplete) break;
    if (r.status == WsParseStatus::kError) {
      spdlog::debug("websocket protocol error from {}: {}", remote_, r.error);
      // Like Centrifugo, the close frame carries the code only; the reason goes to the log.
      Close(r.close_code, "");
      return len;
    }
    used += r.consumed;
    HandleWsFrame(frame);
  }
  return used;
}

void Connection::HandleWsFrame(const WsFrame& f) {
  switch (f.opcode) {
    case WsOpcode::kText:
    case WsOpcode::kBinary:
      if (in_fragment_) {
        Close(1002, "new message inside a fragmented one");
        return;
      }
      if (f.fin) {
        ws_handler_->OnWsMessage(*this, f.payload, f.opcode == WsOpcode::kBinary);
      } else {
        frag_opcode_ = f.opcode;
        frag_.assign(f.payload);
        in_fragment_ = true;
      }
      return;
    case WsOpcode::kContinuation:
      if (!in_fragment_) {
        Close(1002, "continuation without a message");
        return;
      }
      if (frag_.size() + f.payload.size() > limits_->max_ws_message) {
        Close(1009, "message too big");
        return;
      }
      frag_.append(f.payload);
      if (f.fin) {
        std::string msg;
        msg.swap(frag_);
        in_fragment_ = false;
        ws_handler_->OnWsMessage(*this, msg, frag_opcode_ == WsOpcode::kBinary);
      }
      return;
    case WsOpcode::kPing: {
      char hdr[10];
      size_t h = BuildWsFrameHeader(WsOpcode::kPong, f.payload.size(), hdr);
      std::string pong(hdr, h);
      pong.append(f.payload);
      Flush();  // keep ordering with queued messages
      WriteRaw(pong);
      return;
    }
    case WsOpcode::kPong:
      return;
    case WsOpcode::kClose: {
      uint16_t code = 1005;
      if (f.payload.size() >= 2) {
        code = static_cast<uint16_t>((static_cast<unsigned char>(f.payload[0]) << 8) |
                                     static_cast<unsigned char>(f.payload[1]));
      }
      NotifyClosed(code);
      if (!close_frame_sent_) {
        Flush();
        if (code == 1005) {
          // The peer sent no status: echo an empty close frame, as the RFC suggests.
          char hdr[10];
          WriteRaw(std::string_view(hdr, BuildWsFrameHeader(WsOpcode::kClose, 0, hdr)));
        } else {
          WriteRaw(BuildWsCloseFrame(code, ""));
        }
        close_frame_sent_ = true;
      }
      CloseAfterFlush();
      return;
    }
  }
}

void Connection::SendHttpResponse(std::string response, bool keep_alive) {
  if (state_ == State::kClosed) return;
  awaiting_response_ = false;
  WriteRaw(response);
  if (!keep_alive) {
    CloseAfterFlush();
    return;
  }
  if (!in_.empty() && state_ == State::kOpen) {
    // Continue with pipelined requests that arrived while this one was handled.
    std::string buf;
    buf.swap(in_);
    size_t used = ProcessHttp(buf.data(), buf.size());
    if (state_ != State::kClosed && used < buf.size()) in_.append(buf, used, std::string::npos);
  }
}

void Connection::AcceptWebSocket(const HttpRequest& req, WebSocketHandler* handler,
                                 std::string_view subprotocol, bool binary) {
  awaiting_response_ = false;
  ws_handler_ = handler;
  binary_ = binary;
  std::string resp =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  resp.append(WsAcceptKey(req.Header("Sec-WebSocket-Key")));
  resp.append("\r\n");
  if (!subprotocol.empty()) {
    resp.append("Sec-WebSocket-Protocol: ");
    resp.append(subprotocol);
    resp.append("\r\n");
  }
  resp.append("\r\n");
  WriteRaw(resp);
  // Frames that arrived right behind the upgrade request are handled by ProcessHttp's caller.
}

void Connection::SendMessage(SharedBytes message) {
  if (state_ != State::kOpen) return;
  pending_bytes_ += message->size() + 1;
  pending_.push_back(std::move(message));
  ScheduleFlush();
}

void Connection::SendMessage(std::string message) {
  SendMessage(std::make_shared<const std::string>(std::move(message)));
}

void Connection::ScheduleFlush() {
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    loop_->ScheduleTurnEnd(this);
  }
}

void Connection::OnTurnEnd() {
  flush_scheduled_ = false;
  if (state_ == State::kClosed) return;
  Flush();
}

void Connection::Flush() {
  if (pending_.empty() || state_ == State::kClosed) return;
  // One frame for everything queued: header, then messages (JSON joined by '\n'). A single
  // message goes out zero-copy as two iovecs; several are gathered into the loop's scratch
  // buffer first, because the kernel's per-segment cost for many ~100-byte iovecs is far above
  // a memcpy of the same bytes.
  char hdr[10];
  size_t payload = 0;
  for (auto& m : pending_) payload += m->size();
  if (!binary_) payload += pending_.size() - 1;
  size_t h = BuildWsFrameHeader(binary_ ? WsOpcode::kBinary : WsOpcode::kText, payload, hdr);
  pending_bytes_ = 0;
  if (pending_.size() == 1) {
    iovec iov[2] = {{hdr, h}, {const_cast<char*>(pending_[0]->data()), pending_[0]->size()}};
    WriteIov(iov, 2, h + payload);
  } else {
    thread_local std::string scratch;
    scratch.clear();
    scratch.reserve(h + payload);
    scratch.append(hdr, h);
    for (size_t i = 0; i < pending_.size(); ++i) {
      if (i > 0 && !binary_) scratch.push_back('\n');
      scratch.append(*pending_[i]);
    }
    iovec iov{scratch.data(), scratch.size()};
    WriteIov(&iov, 1, scratch.size());
    if (scratch.capacity() > kMaxScratchKept) std::string().swap(scratch);
  }
  // Keep a small capacity: a busy connection does not allocate per turn, an idle one keeps at
  // most a few pointers.
  if (pending_.capacity() > kKeptQueueCapacity) {
    std::vector<SharedBytes>().swap(pending_);
  } else {
    pending_.clear();
  }
}

bool Connection::WriteIov(iovec* iov, int n, size_t total) {
  if (state_ == State::kClosed) return false;
  size_t written = 0;
  if (backlog_.size() == backlog_offset_) {
    ssize_t w = ::writev(fd_, iov, n);
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        NotifyClosed(1006);
        Destroy();
        return false;
      }
      w = 0;
    }
    written = static_cast<size_t>(w);
    if (written == total) return true;
  }
  // Keep the unwritten rest; wait for EPOLLOUT.
  for (int i = 0; i < n; ++i) {
    if (written >= iov[i].iov_len) {
      written -= iov[i].iov_len;
      continue;
    }
    backlog_.append(static_cast<const char*>(iov[i].iov_base) + written, iov[i].iov_len - written);
    written = 0;
  }
  bool pause = backlog_.size() - backlog_offset_ > kMaxBacklogWhileReading;
  if (!want_write_ || (pause && !paused_)) {
    want_write_ = true;
    paused_ = paused_ || pause;
    UpdateInterest();
  }
  return true;
}

void Connection::WriteRaw(std::string_view bytes) {
  if (state_ == State::kClosed || bytes.empty()) return;
  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  WriteIov(&iov, 1, bytes.size());
}

void Connection::DrainBacklog() {
  while (backlog_offset_ < backlog_.size()) {
    ssize_t w = ::write(fd_, backlog_.data() + backlog_offset_, backlog_.size() - backlog_offset_);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // still blocked; EPOLLOUT stays on
      if (errno == EINTR) continue;
      NotifyClosed(1006);
      Destroy();
      return;
    }
    backlog_offset_ += static_cast<size_t>(w);
  }
  std::string().swap(backlog_);  // idle connections keep no buffer
  backlog_offset_ = 0;
  want_write_ = false;
  if (!close_after_flush_) paused_ = false;
  UpdateInterest();
  if (close_after_flush_) {
    Destroy();
  } else if (close_frame_sent_) {
    ::shutdown(fd_, SHUT_WR);
  }
}

void Connection::Close(uint16_t code, std::string_view reason) {
  if (state_ != State::kOpen) return;
  if (!ws_handler_) {
    state_ = State::kClosing;
    Destroy();
    return;
  }
  Flush();
  NotifyClosed(code);
  if (state_ == State::kClosed) return;
  WriteRaw(BuildWsCloseFrame(code, reason));
  if (state_ == State::kClosed) return;  // the write failed and destroyed the connection
  close_frame_sent_ = true;
  state_ = State::kClosing;
  if (backlog_.size() == backlog_offset_) ::shutdown(fd_, SHUT_WR);
  loop_->timers().Arm(close_timer_, kCloseHandshakeTimeoutMs);
}

void Connection::UpdateInterest() {
  uint32_t events = 0;
  if (!paused_) events |= EPOLLIN | EPOLLRDHUP;
  if (want_write_) events |= EPOLLOUT;
  loop_->Modify(fd_, events, this);
}

void Connection::CloseAfterFlush() {
  if (state_ == State::kClosed) return;
  if (backlog_.size() == backlog_offset_) {
    Destroy();
    return;
  }
  state_ = State::kClosing;
  close_after_flush_ = true;
  paused_ = true;  // nothing more is read; DrainBacklog destroys once everything is out
  UpdateInterest();
  loop_->timers().Arm(close_timer_, kCloseHandshakeTimeoutMs);
}

void Connection::Abort() {
  if (state_ == State::kClosed) return;
  NotifyClosed(1006);
  Destroy();
}

void Connection::OnCloseTimer(void* self) {
  static_cast<Connection*>(self)->Destroy();
}

void Connection::NotifyClosed(uint16_t code) {
  if (notified_ || !ws_handler_) return;
  notified_ = true;
  WebSocketHandler* h = ws_handler_;
  h->OnWsClosed(*this, code);
}

void Connection::Destroy() {
  if (state_ == State::kClosed) return;
  // Push out what the kernel will take right now (close frames, final HTTP responses).
  if (backlog_.size() != backlog_offset_) {
    ssize_t w = ::write(fd_, backlog_.data() + backlog_offset_, backlog_.size() - backlog_offset_);
    (void)w;
  }
  NotifyClosed(1006);
  state_ = State::kClosed;
  close_timer_.Cancel();
  loop_->Remove(fd_);
  ::close(fd_);
  fd_ = -1;
  pending_.clear();
  loop_->DeleteLater(this);
}

}  // namespace gyre::net
