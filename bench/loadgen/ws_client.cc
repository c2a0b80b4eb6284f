#include "ws_client.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace gyre::bench {
namespace {

// One receive buffer per process: clients are served one at a time by the event loop.
constexpr size_t kReadChunk = 256 * 1024;
char g_read_buffer[kReadChunk];

// Frame scratch, reused for every outgoing frame.
std::string g_frame;

void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool ReadVarint(const char*& p, const char* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    auto b = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

void AppendField(std::string& out, uint32_t field, std::string_view bytes) {
  AppendVarint(out, (field << 3) | 2);
  AppendVarint(out, bytes.size());
  out.append(bytes);
}

void AppendUintField(std::string& out, uint32_t field, uint64_t v) {
  AppendVarint(out, field << 3);
  AppendVarint(out, v);
}

// Wraps one protobuf Command (fields already encoded) into a length-delimited message.
std::string ProtoMessage(std::string_view body) {
  std::string out;
  AppendVarint(out, body.size());
  out.append(body);
  return out;
}

}  // namespace

bool WsClient::Start(int epoll_fd, const Endpoint& endpoint, in_addr source, std::string_view token,
                     std::string_view channel, WsHandler* handler) {
  epoll_fd_ = epoll_fd;
  endpoint_ = &endpoint;
  protobuf_ = endpoint.protobuf;
  token_ = token;
  channel_ = channel;
  handler_ = handler;
  mask_state_ = 0x9e3779b9u ^ (index * 2654435761u) ^ 1u;
  phase_ = Phase::kClosed;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // Choose the port at connect time so that the 4-tuple, not the port alone, must be unique:
  // with many 127.0.0.x sources this goes far past the ephemeral port range.
  setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr = source;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&endpoint.addr), sizeof(endpoint.addr));
  if (rc != 0 && errno != EINPROGRESS) {
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  phase_ = Phase::kTcp;
  epoll_event ev{};
  ev.events = EPOLLOUT | EPOLLIN;
  ev.data.ptr = this;
  want_write_ = true;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd_, &ev);
  return true;
}

void WsClient::Close() {
  if (fd_ >= 0) {
    ::close(fd_);  // also removes it from the epoll set
    fd_ = -1;
  }
  phase_ = Phase::kClosed;
  std::string().swap(in_);
  std::string().swap(frag_);
  std::string().swap(out_);
}

void WsClient::Fail(const char* why) {
  if (phase_ == Phase::kClosed) return;
  Close();
  handler_->OnClosed(*this, why);
}

void WsClient::UpdateEpoll() {
  bool want = !out_.empty() || phase_ == Phase::kTcp;
  if (want == want_write_) return;
  want_write_ = want;
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? static_cast<uint32_t>(EPOLLOUT) : 0u);
  ev.data.ptr = this;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd_, &ev);
}

void WsClient::SendRaw(const char* data, size_t len) {
  if (fd_ < 0) return;
  if (out_.empty()) {
    ssize_t n = ::send(fd_, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Fail("send failed");
      n = 0;
    }
    if (static_cast<size_t>(n) == len) return;
    out_.append(data + n, len - static_cast<size_t>(n));
  } else {
    out_.append(data, len);
  }
  UpdateEpoll();
}

// Client frames are masked (RFC 6455 §5.3) with a key from a per-client xorshift sequence.
void WsClient::SendFrame(std::string_view payload) {
  g_frame.clear();
  g_frame.push_back(static_cast<char>(0x80 | (protobuf_ ? 0x2 : 0x1)));
  size_t n = payload.size();
  if (n < 126) {
    g_frame.push_back(static_cast<char>(0x80 | n));
  } else if (n < 65536) {
    g_frame.push_back(static_cast<char>(0x80 | 126));
    g_frame.push_back(static_cast<char>(n >> 8));
    g_frame.push_back(static_cast<char>(n & 0xff));
  } else {
    g_frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) g_frame.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  char key[4];
  std::memcpy(key, &mask_state_, 4);
  g_frame.append(key, 4);
  size_t start = g_frame.size();
  g_frame.append(payload);
  char* p = g_frame.data() + start;
  for (size_t i = 0; i < n; ++i) p[i] ^= key[i & 3];
  SendRaw(g_frame.data(), g_frame.size());
}

void WsClient::SendConnect() {
  phase_ = Phase::kConnect;
  if (protobuf_) {
    std::string req;
    AppendField(req, 1, token_);
    AppendField(req, 4, "gyre-bench");
    std::string cmd;
    AppendUintField(cmd, 1, 1);
    AppendField(cmd, 4, req);
    SendFrame(ProtoMessage(cmd));
  } else {
    std::string cmd = R"({"id":1,"connect":{"token":")";
    cmd += token_;
    cmd += R"(","name":"gyre-bench"}})";
    SendFrame(cmd);
  }
}

void WsClient::SendSubscribe() {
  phase_ = Phase::kSubscribe;
  if (protobuf_) {
    std::string req;
    AppendField(req, 1, channel_);
    std::string cmd;
    AppendUintField(cmd, 1, 2);
    AppendField(cmd, 5, req);
    SendFrame(ProtoMessage(cmd));
  } else {
    std::string cmd = R"({"id":2,"subscribe":{"channel":")";
    cmd += channel_;
    cmd += R"("}})";
    SendFrame(cmd);
  }
}

void WsClient::SendPublish(std::string_view channel, std::string_view data) {
  if (phase_ != Phase::kReady) return;
  uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 3;
  thread_local std::string cmd;
  cmd.clear();
  if (protobuf_) {
    std::string req;
    AppendField(req, 1, channel);
    AppendField(req, 2, data);
    std::string body;
    AppendUintField(body, 1, id);
    AppendField(body, 7, req);
    AppendVarint(cmd, body.size());
    cmd += body;
  } else {
    cmd += R"({"id":)";
    cmd += std::to_string(id);
    cmd += R"(,"publish":{"channel":")";
    cmd += channel;
    cmd += R"(","data":)";
    cmd += data;
    cmd += "}}";
  }
  SendFrame(cmd);
}

void WsClient::OnEvents(uint32_t events, uint64_t now_ns) {
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kTcp) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return Fail("tcp connect failed");
    phase_ = Phase::kUpgrade;
    std::string req = "GET ";
    req += endpoint_->ws_path;
    req += " HTTP/1.1\r\nHost: ";
    req += endpoint_->host_header;
    req +=
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: Z3lyZS1iZW5jaC1rZXkxMg==\r\nSec-WebSocket-Version: 13\r\n";
    if (protobuf_) req += "Sec-WebSocket-Protocol: centrifuge-protobuf\r\n";
    req += "\r\n";
    UpdateEpoll();
    SendRaw(req.data(), req.size());
    return;
  }
  if (events & EPOLLOUT) OnWritable();
  if (phase_ == Phase::kClosed) return;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable(now_ns);
}

void WsClient::OnWritable() {
  while (!out_.empty()) {
    ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Fail("send failed");
    }
    out_.erase(0, static_cast<size_t>(n));
  }
  if (out_.empty()) std::string().swap(out_);
  UpdateEpoll();
}

void WsClient::OnReadable(uint64_t now_ns) {
  ssize_t n = ::recv(fd_, g_read_buffer, kReadChunk, MSG_DONTWAIT);
  if (n == 0) return Fail("server closed the connection");
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    return Fail("recv failed");
  }
  const char* data = g_read_buffer;
  size_t len = static_cast<size_t>(n);
  if (!in_.empty()) {
    in_.append(data, len);
    data = in_.data();
    len = in_.size();
  }
  size_t used = 0;
  if (phase_ == Phase::kUpgrade) {
    std::string_view view(data, len);
    size_t end = view.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      if (len > 16384) return Fail("upgrade response too large");
      if (in_.empty()) in_.assign(data, len);
      return;
    }
    if (view.substr(0, 12) != "HTTP/1.1 101") return Fail("upgrade refused");
    used = end + 4;
    SendConnect();
    if (phase_ == Phase::kClosed) return;
  }
  used += ParseFrames(data + used, len - used, now_ns);
  if (phase_ == Phase::kClosed) return;
  if (data == in_.data()) {
    in_.erase(0, used);
    if (in_.empty()) std::string().swap(in_);
  } else if (used < len) {
    in_.assign(data + used, len - used);
  }
}

size_t WsClient::ParseFrames(const char* data, size_t len, uint64_t now_ns) {
  size_t pos = 0;
  while (len - pos >= 2) {
    auto b0 = static_cast<uint8_t>(data[pos]);
    auto b1 = static_cast<uint8_t>(data[pos + 1]);
    bool fin = b0 & 0x80;
    int opcode = b0 & 0x0f;
    bool masked = b1 & 0x80;
    uint64_t plen = b1 & 0x7f;
    size_t hdr = 2;
    if (plen == 126) {
      if (len - pos < 4) break;
      plen = (static_cast<uint8_t>(data[pos + 2]) << 8) | static_cast<uint8_t>(data[pos + 3]);
      hdr = 4;
    } else if (plen == 127) {
      if (len - pos < 10) break;
      plen = 0;
      for (int i = 0; i < 8; ++i) plen = (plen << 8) | static_cast<uint8_t>(data[pos + 2 + i]);
      hdr = 10;
    }
    if (masked) hdr += 4;  // a server must not mask; tolerate it anyway
    if (len - pos < hdr + plen) break;
    char* payload = const_cast<char*>(data + pos + hdr);
    if (masked) {
      const char* key = data + pos + hdr - 4;
      for (uint64_t i = 0; i < plen; ++i) payload[i] ^= key[i & 3];
    }
    std::string_view body(payload, plen);
    pos += hdr + plen;
    switch (opcode) {
      case 0x0:  // continuation
        frag_.append(body);
        if (fin) {
          std::string msg;
          msg.swap(frag_);
          HandleMessage(msg, now_ns);
        }
        break;
      case 0x1:
      case 0x2:
        if (fin) {
          HandleMessage(body, now_ns);
        } else {
          frag_.assign(body);
        }
        break;
      case 0x8:
        Fail("server sent close");
        return pos;
      case 0x9: {  // WebSocket ping: answer with a pong carrying the same payload
        std::string pong;
        pong.push_back(static_cast<char>(0x8a));
        pong.push_back(static_cast<char>(0x80 | body.size()));
        pong.append("\0\0\0\0", 4);
        pong.append(body);
        SendRaw(pong.data(), pong.size());
        break;
      }
      default:
        break;
    }
    if (phase_ == Phase::kClosed) return pos;
  }
  return pos;
}

void WsClient::HandleMessage(std::string_view msg, uint64_t now_ns) {
  if (protobuf_) {
    const char* p = msg.data();
    const char* end = p + msg.size();
    while (p < end) {
      uint64_t n;
      if (!ReadVarint(p, end, n) || static_cast<uint64_t>(end - p) < n) {
        return Fail("bad protobuf framing");
      }
      if (n == 0) {  // server ping: answer with an empty command
        handler_->OnPing(*this);
        SendFrame(std::string_view("\0", 1));
      } else {
        HandleProtobufReply(std::string_view(p, n), now_ns);
      }
      p += n;
      if (phase_ == Phase::kClosed) return;
    }
    return;
  }
  size_t start = 0;
  while (start < msg.size()) {
    size_t nl = msg.find('\n', start);
    if (nl == std::string_view::npos) nl = msg.size();
    if (nl > start) HandleJsonLine(msg.substr(start, nl - start), now_ns);
    if (phase_ == Phase::kClosed) return;
    start = nl + 1;
  }
}

void WsClient::HandleJsonLine(std::string_view line, uint64_t now_ns) {
  if (line == "{}") {
    handler_->OnPing(*this);
    SendFrame("{}");
    return;
  }
  if (line.starts_with(R"({"id":)")) {
    uint32_t id = 0;
    size_t i = 6;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') id = id * 10 + (line[i++] - '0');
    bool error = line.substr(i).starts_with(R"(,"error")");
    return HandleReply(id, error);
  }
  Marker m;
  if (FindMarker(line, m)) handler_->OnPublication(*this, m, now_ns);
}

void WsClient::HandleProtobufReply(std::string_view msg, uint64_t now_ns) {
  const char* p = msg.data();
  const char* end = p + msg.size();
  uint64_t id = 0;
  bool error = false;
  bool push = false;
  while (p < end) {
    uint64_t tag;
    if (!ReadVarint(p, end, tag)) return Fail("bad protobuf reply");
    uint64_t field = tag >> 3;
    int wire = static_cast<int>(tag & 7);
    if (wire == 0) {
      uint64_t v;
      if (!ReadVarint(p, end, v)) return Fail("bad protobuf reply");
      if (field == 1) id = v;
    } else if (wire == 2) {
      uint64_t n;
      if (!ReadVarint(p, end, n) || static_cast<uint64_t>(end - p) < n) {
        return Fail("bad protobuf reply");
      }
      if (field == 2) error = true;
      if (field == 4) {
        push = true;
        Marker m;
        if (FindMarker(std::string_view(p, n), m)) handler_->OnPublication(*this, m, now_ns);
      }
      p += n;
    } else {
      return Fail("unexpected protobuf wire type");
    }
  }
  if (!push && id != 0) HandleReply(static_cast<uint32_t>(id), error);
}

void WsClient::HandleReply(uint32_t id, bool error) {
  if (id == 1 && phase_ == Phase::kConnect) {
    if (error) return Fail("connect refused");
    if (channel_.empty()) {
      phase_ = Phase::kReady;
      handler_->OnReady(*this);
    } else {
      SendSubscribe();
    }
    return;
  }
  if (id == 2 && phase_ == Phase::kSubscribe) {
    if (error) return Fail("subscribe refused");
    phase_ = Phase::kReady;
    handler_->OnReady(*this);
    return;
  }
  if (id >= 3) handler_->OnPublishReply(*this, !error);
}

}  // namespace gyre::bench
