// gyre-baseline: the ceiling of this machine for WebSocket fan-out.
//
// A single-threaded epoll server that does only what any server must do to deliver a
// publication: accept, answer the WebSocket upgrade, and write the publication's frame to
// every subscriber's socket. It has no protocol logic beyond what gyre-bench needs to get going:
// canned replies to connect/subscribe/publish found by substring search, no JWT verification,
// no pings, no history, no queues beyond a per-socket leftover buffer. Publications that arrive
// in the same loop turn go out as one frame per subscriber (messages joined by '\n', as the
// JSON framing allows), which is the best any server can do with one write per socket per turn.
//
// Contract: JSON only; only for use with gyre-bench on 127.0.0.1; never a real server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct Conn {
  int fd = -1;
  bool websocket = false;
  bool want_write = false;
  bool closed = false;
  std::string in;
  std::string out;
};

struct Channel {
  std::vector<Conn*> subscribers;
  std::string batch;  // messages of this loop turn, '\n'-joined
};

int g_epoll = -1;
std::unordered_map<std::string, Channel> g_channels;
std::vector<Channel*> g_dirty;
std::vector<Conn*> g_dead;
char g_buf[256 * 1024];
std::string g_replies;  // replies to the connection being served, written once per read

std::string Base64(const unsigned char* p, size_t n) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += a[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = p[i] << 16;
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += "==";
  } else if (n - i == 2) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out += a[v >> 18];
    out += a[(v >> 12) & 63];
    out += a[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

void SetWant(Conn* c, bool want) {
  if (c->want_write == want || c->closed) return;
  c->want_write = want;
  epoll_event ev{};
  ev.events = EPOLLIN | (want ? static_cast<uint32_t>(EPOLLOUT) : 0u);
  ev.data.ptr = c;
  epoll_ctl(g_epoll, EPOLL_CTL_MOD, c->fd, &ev);
}

void CloseConn(Conn* c) {
  if (c->closed) return;
  c->closed = true;
  close(c->fd);
  g_dead.push_back(c);
}

void Send(Conn* c, const char* data, size_t n) {
  if (c->closed) return;
  if (c->out.empty()) {
    ssize_t w = send(c->fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return CloseConn(c);
      w = 0;
    }
    if (static_cast<size_t>(w) == n) return;
    c->out.append(data + w, n - static_cast<size_t>(w));
    SetWant(c, true);
  } else {
    c->out.append(data, n);
  }
}

void FrameHeader(std::string& out, size_t n) {
  out.push_back(static_cast<char>(0x81));
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n < 65536) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xff));
  } else {
    out.push_back(static_cast<char>(127));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
}

std::string_view StringField(std::string_view s, std::string_view key) {
  size_t p = s.find(key);
  if (p == std::string_view::npos) return {};
  p += key.size();
  size_t e = s.find('"', p);
  return e == std::string_view::npos ? std::string_view{} : s.substr(p, e - p);
}

// Queues a publication for the end of this loop turn.
void Publish(std::string_view channel, std::string_view data) {
  auto it = g_channels.find(std::string(channel));
  if (it == g_channels.end()) return;
  Channel& ch = it->second;
  if (ch.batch.empty()) {
    g_dirty.push_back(&ch);
  } else {
    ch.batch.push_back('\n');
  }
  ch.batch += R"({"push":{"channel":")";
  ch.batch += channel;
  ch.batch += R"(","pub":{"data":)";
  ch.batch += data;
  ch.batch += "}}}";
}

// Writes each dirty channel's batch, framed once, to every subscriber.
void FlushBatches() {
  std::string frame;
  for (Channel* ch : g_dirty) {
    frame.clear();
    FrameHeader(frame, ch->batch.size());
    frame += ch->batch;
    ch->batch.clear();
    for (Conn* c : ch->subscribers) Send(c, frame.data(), frame.size());
  }
  g_dirty.clear();
}

uint32_t CommandId(std::string_view line) {
  uint32_t id = 0;
  size_t p = line.find(R"("id":)");
  if (p == std::string_view::npos) return 0;
  for (p += 5; p < line.size() && line[p] >= '0' && line[p] <= '9'; ++p)
    id = id * 10 + (line[p] - '0');
  return id;
}

void HandleCommand(Conn* c, std::string_view line) {
  if (line == "{}") return;  // pong
  uint32_t id = CommandId(line);
  std::string reply = R"({"id":)" + std::to_string(id);
  if (line.find(R"("connect":)") != std::string_view::npos) {
    reply += R"(,"connect":{"client":"baseline","version":"0.0.0","ping":25,"pong":true}})";
  } else if (line.find(R"("subscribe":)") != std::string_view::npos) {
    std::string_view channel = StringField(line, R"("channel":")");
    g_channels[std::string(channel)].subscribers.push_back(c);
    reply += R"(,"subscribe":{}})";
  } else if (line.find(R"("publish":)") != std::string_view::npos) {
    std::string_view channel = StringField(line, R"("channel":")");
    size_t d = line.find(R"("data":)");
    if (d != std::string_view::npos && line.size() >= d + 9) {
      Publish(channel, line.substr(d + 7, line.size() - d - 7 - 2));
    }
    reply += R"(,"publish":{}})";
  } else {
    reply += "}";
  }
  FrameHeader(g_replies, reply.size());
  g_replies += reply;
}

void HandleWebSocket(Conn* c) {
  size_t pos = 0;
  std::string& in = c->in;
  while (in.size() - pos >= 6) {
    auto b0 = static_cast<uint8_t>(in[pos]);
    auto b1 = static_cast<uint8_t>(in[pos + 1]);
    uint64_t n = b1 & 0x7f;
    size_t hdr = 2;
    if (n == 126) {
      if (in.size() - pos < 8) break;
      n = (static_cast<uint8_t>(in[pos + 2]) << 8) | static_cast<uint8_t>(in[pos + 3]);
      hdr = 4;
    } else if (n == 127) {
      if (in.size() - pos < 14) break;
      n = 0;
      for (int i = 0; i < 8; ++i) n = (n << 8) | static_cast<uint8_t>(in[pos + 2 + i]);
      hdr = 10;
    }
    bool masked = b1 & 0x80;
    size_t key_at = pos + hdr;
    if (masked) hdr += 4;
    if (in.size() - pos < hdr + n) break;
    char* p = in.data() + pos + hdr;
    if (masked) {
      for (uint64_t i = 0; i < n; ++i) p[i] ^= in[key_at + (i & 3)];
    }
    int opcode = b0 & 0x0f;
    if (opcode == 0x8) {
      CloseConn(c);
      break;
    }
    if (opcode == 0x1 || opcode == 0x2) {
      std::string_view msg(p, n);
      size_t s = 0;
      while (s < msg.size()) {
        size_t e = msg.find('\n', s);
        if (e == std::string_view::npos) e = msg.size();
        if (e > s) HandleCommand(c, msg.substr(s, e - s));
        s = e + 1;
      }
    }
    pos += hdr + n;
  }
  in.erase(0, pos);
  if (!g_replies.empty()) {
    Send(c, g_replies.data(), g_replies.size());  // no-op on a closed connection
    g_replies.clear();
  }
}

// Pipelined requests are answered with one write per read, like any corking server.
void HandleHttpRequests(Conn* c);

void HandleHttp(Conn* c) {
  HandleHttpRequests(c);
  if (!g_replies.empty()) {
    Send(c, g_replies.data(), g_replies.size());
    g_replies.clear();
  }
}

void HandleHttpRequests(Conn* c) {
  for (;;) {
    size_t end = c->in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    std::string head = c->in.substr(0, end);
    std::string lower = head;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (head.rfind("GET ", 0) == 0) {
      size_t k = lower.find("sec-websocket-key:");
      if (k == std::string::npos) return CloseConn(c);
      size_t v = head.find_first_not_of(' ', k + 18);
      std::string key = head.substr(v, head.find("\r\n", v) - v);
      key += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
      unsigned char sha[SHA_DIGEST_LENGTH];
      SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), sha);
      std::string resp =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: " +
          Base64(sha, sizeof(sha)) + "\r\n\r\n";
      g_replies += resp;
      c->websocket = true;
      c->in.erase(0, end + 4);
      return HandleWebSocket(c);
    }
    size_t cl = lower.find("content-length:");
    size_t body_len =
        cl == std::string::npos ? 0 : std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
    if (c->in.size() < end + 4 + body_len) return;
    std::string_view body(c->in.data() + end + 4, body_len);
    std::string_view channel = StringField(body, R"("channel":")");
    size_t d = body.find(R"("data":)");
    if (d != std::string_view::npos && body.size() >= d + 8) {
      Publish(channel, body.substr(d + 7, body.size() - d - 7 - 1));
    }
    static const std::string kOk =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
        R"({"result":{}})";
    g_replies += kOk;
    c->in.erase(0, end + 4 + body_len);
  }
}

void Reap() {
  if (g_dead.empty()) return;
  for (auto& [name, ch] : g_channels) {
    std::erase_if(ch.subscribers, [](Conn* c) { return c->closed; });
  }
  for (Conn* c : g_dead) delete c;
  g_dead.clear();
}

}  // namespace

int main(int argc, char** argv) {
  int port = 8000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--port") == 0) port = std::atoi(argv[i + 1]);
  }
  signal(SIGPIPE, SIG_IGN);
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(lfd, 65535) != 0) {
    std::perror("gyre-baseline: listen");
    return 1;
  }
  g_epoll = epoll_create1(EPOLL_CLOEXEC);
  epoll_event lev{};
  lev.events = EPOLLIN;
  lev.data.ptr = nullptr;
  epoll_ctl(g_epoll, EPOLL_CTL_ADD, lfd, &lev);
  std::fprintf(stderr, "gyre-baseline listening on 127.0.0.1:%d\n", port);
  std::vector<epoll_event> events(1024);
  for (;;) {
    int k = epoll_wait(g_epoll, events.data(), static_cast<int>(events.size()), -1);
    for (int i = 0; i < k; ++i) {
      auto* c = static_cast<Conn*>(events[i].data.ptr);
      if (c == nullptr) {
        for (;;) {
          int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          auto* nc = new Conn();
          nc->fd = fd;
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.ptr = nc;
          epoll_ctl(g_epoll, EPOLL_CTL_ADD, fd, &ev);
        }
        continue;
      }
      if (c->closed) continue;
      if (events[i].events & EPOLLOUT) {
        while (!c->out.empty()) {
          ssize_t w = send(c->fd, c->out.data(), c->out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
          if (w < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) CloseConn(c);
            break;
          }
          c->out.erase(0, static_cast<size_t>(w));
        }
        if (c->out.empty()) SetWant(c, false);
      }
      if (c->closed) continue;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t n = recv(c->fd, g_buf, sizeof(g_buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          CloseConn(c);
          continue;
        }
        if (n < 0) continue;
        c->in.append(g_buf, static_cast<size_t>(n));
        if (c->websocket) {
          HandleWebSocket(c);
        } else {
          HandleHttp(c);
        }
        if (c->in.empty()) std::string().swap(c->in);
      }
    }
    FlushBatches();
    Reap();
  }
}
