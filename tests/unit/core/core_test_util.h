// Test doubles for the core: a manual event loop, a recording transport, and a harness that
// builds a real Node (memory broker and presence, HMAC token verifier) around them.
//
// Nothing here opens sockets, starts threads or sleeps: posted work runs when a test calls
// RunPosted(), and time moves only when a test calls Advance().
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"
#include "base/json.h"
#include "base/status.h"
#include "base/timer_wheel.h"
#include "base/util.h"
#include "broker/memory/broker_memory.h"
#include "config/config.h"
#include "core/client.h"
#include "core/loop.h"
#include "core/node.h"
#include "core/transport.h"

namespace gyre::core::testing {

inline constexpr std::string_view kSecret = "test-secret";

// A loop whose posted closures queue until RunPosted(), with a wheel driven by a fake clock.
class FakeLoop final : public Loop {
 public:
  explicit FakeLoop(int index, int64_t start_ms = 1'000'000)
      : index_(index), now_(start_ms), wheel_(start_ms) {}

  void Post(std::function<void()> fn) override {
    queue_.push_back(std::move(fn));
    ++posted_;
  }
  TimerWheel& timers() override { return wheel_; }
  int64_t now_ms() const override { return now_; }
  int index() const override { return index_; }

  // Runs queued closures (and any they post) in order; returns how many ran.
  size_t RunPosted() {
    size_t n = 0;
    while (!queue_.empty()) {
      auto fn = std::move(queue_.front());
      queue_.pop_front();
      fn();
      ++n;
    }
    return n;
  }
  // Moves the clock and fires due timers.
  void Advance(int64_t ms) {
    now_ += ms;
    wheel_.Advance(now_);
  }
  size_t pending() const { return queue_.size(); }
  size_t posted() const { return posted_; }

 private:
  int index_;
  int64_t now_;
  TimerWheel wheel_;
  std::deque<std::function<void()>> queue_;
  size_t posted_ = 0;
};

// Records what the client sends; Close() records the disconnect and reports the close back to the
// client, as a real transport eventually does.
class FakeTransport final : public Transport {
 public:
  explicit FakeTransport(proto::Encoding encoding = proto::Encoding::kJson) : encoding_(encoding) {}

  proto::Encoding encoding() const override { return encoding_; }
  void Send(SharedBytes message) override {
    Log("send");
    messages.emplace_back(*message);
    shared.push_back(std::move(message));
  }
  void Send(std::string message) override {
    Log("send");
    messages.push_back(std::move(message));
  }
  size_t QueuedBytes() const override { return queued_bytes; }
  void Close(const Disconnect& disconnect) override {
    Log("close");
    ++close_calls;
    if (!closed) closed = disconnect;
    if (client) client->OnTransportClosed();
  }

  // Messages sent since the last TakeMessages().
  std::vector<std::string> TakeMessages() {
    std::vector<std::string> out(messages.begin() + static_cast<std::ptrdiff_t>(taken_),
                                 messages.end());
    taken_ = messages.size();
    return out;
  }

  Client* client = nullptr;
  std::vector<std::string> messages;  // every wire message, in order
  std::vector<SharedBytes> shared;    // those handed over as shared buffers (fan-out)
  std::optional<Disconnect> closed;
  int close_calls = 0;
  size_t queued_bytes = 0;
  // Optional shared event log ("<name>:send", "<name>:close") for ordering assertions.
  std::vector<std::string>* log = nullptr;
  std::string name;

 private:
  void Log(std::string_view what) {
    if (log) log->push_back(name + ":" + std::string(what));
  }
  proto::Encoding encoding_;
  size_t taken_ = 0;
};

// One connection: a transport and the client bound to it.
struct Conn {
  explicit Conn(proto::Encoding encoding) : transport(encoding) {}
  FakeTransport transport;
  std::unique_ptr<Client> client;

  void Send(std::string_view frame) { client->HandleFrame(frame); }
  std::vector<std::string> Take() { return transport.TakeMessages(); }
  // The single message sent since the last Take(); fails the test when there is not exactly one.
  std::string TakeOne() {
    auto m = Take();
    EXPECT_EQ(m.size(), 1u) << (m.empty() ? std::string("no message") : m.back());
    return m.empty() ? std::string() : m.back();
  }
};

// --- JSON helpers -------------------------------------------------------------------------------

// Raw JSON of the member at a dotted path ("connect.client"), or "" when absent.
inline std::string Field(std::string_view text, std::string_view path) {
  json::Value v = json::Parse(text);
  if (!v.valid()) return "";
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view name = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (v.type != json::Type::kObject) return "";
    json::ObjectReader r(v);
    std::string_view key;
    json::Value m;
    bool found = false;
    while (r.Next(key, m)) {
      if (key == name) {
        v = m;
        found = true;
        break;
      }
    }
    if (!found) return "";
  }
  return std::string(v.raw);
}

inline std::string StringField(std::string_view text, std::string_view path) {
  std::string raw = Field(text, path);
  std::string out;
  if (!json::GetString(json::Parse(raw), out)) return "";
  return out;
}

inline int64_t IntField(std::string_view text, std::string_view path) {
  std::string raw = Field(text, path);
  int64_t out = -1;
  if (!json::GetInt64(json::Parse(raw), out)) return -1;
  return out;
}

// Raw JSON items of an array member.
inline std::vector<std::string> ArrayField(std::string_view text, std::string_view path) {
  std::string raw = Field(text, path);
  std::vector<std::string> out;
  json::ArrayReader r(json::Parse(raw));
  json::Value item;
  while (r.Next(item)) out.emplace_back(item.raw);
  return out;
}

inline std::string ErrorReply(uint32_t id, const Error& e) {
  std::string out = "{\"id\":" + std::to_string(id) +
                    ",\"error\":{\"code\":" + std::to_string(e.code) + ",\"message\":\"" +
                    e.message + "\"";
  if (e.temporary) out += ",\"temporary\":true";
  return out + "}}";
}

// --- Protobuf command building (enough for connect and subscribe) ------------------------------

inline void PbVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline void PbBytes(std::string& out, uint32_t field, std::string_view bytes) {
  PbVarint(out, (uint64_t{field} << 3) | 2);
  PbVarint(out, bytes.size());
  out.append(bytes);
}
// A one-command protobuf frame: Command{id, <request_field>: request}.
inline std::string PbCommandFrame(uint32_t id, uint32_t request_field, std::string_view request) {
  std::string cmd;
  PbVarint(cmd, (1u << 3) | 0);
  PbVarint(cmd, id);
  PbBytes(cmd, request_field, request);
  std::string frame;
  PbVarint(frame, cmd.size());
  return frame + cmd;
}
inline std::string PbConnect(uint32_t id, std::string_view token) {
  std::string req;
  PbBytes(req, 1, token);
  return PbCommandFrame(id, 4, req);
}
inline std::string PbSubscribe(uint32_t id, std::string_view channel) {
  std::string req;
  PbBytes(req, 1, channel);
  return PbCommandFrame(id, 5, req);
}

// --- Harness ------------------------------------------------------------------------------------

// Default configuration for core tests: one HMAC secret, a few namespaces.
inline config::Config BaseConfig() {
  config::Config c;
  c.node_name = "test-node";
  c.client.token.hmac_secret_key = std::string(kSecret);
  return c;
}

inline config::ChannelOptions& AddNamespace(config::Config& c, std::string name) {
  c.channel.namespaces.push_back(config::Namespace{std::move(name), {}});
  return c.channel.namespaces.back().options;
}

class Harness {
 public:
  explicit Harness(config::Config config, int num_loops = 1,
                   std::unique_ptr<Broker> broker = nullptr)
      : config_(std::move(config)) {
    if (!broker) broker = std::make_unique<broker::MemoryBroker>();
    for (int i = 0; i < num_loops; ++i) loops_.push_back(std::make_unique<FakeLoop>(i));
    auto verifier = auth::Verifier::Create(config_.client.token);
    EXPECT_TRUE(verifier.ok()) << (verifier.ok() ? "" : verifier.error().message);
    std::vector<Loop*> loops;
    for (auto& l : loops_) loops.push_back(l.get());
    node_ = std::make_unique<Node>(config_, *verifier, *verifier, std::move(broker),
                                   std::make_unique<broker::MemoryPresence>(), loops);
  }

  ~Harness() {
    // Clients leave the node's registries before the node goes away.
    for (auto& c : conns_) c->client->OnTransportClosed();
    conns_.clear();
    node_.reset();
  }

  const config::Config& config() const { return config_; }
  Node& node() { return *node_; }
  FakeLoop& loop(int i = 0) { return *loops_[static_cast<size_t>(i)]; }

  // A new, started (not yet connected) client.
  Conn& NewConn(int loop_index = 0, proto::Encoding encoding = proto::Encoding::kJson) {
    auto c = std::make_unique<Conn>(encoding);
    c->client =
        std::make_unique<Client>(node_.get(), &node_->hub(loop_index), &c->transport, encoding);
    c->transport.client = c->client.get();
    c->client->Start();
    conns_.push_back(std::move(c));
    return *conns_.back();
  }

  // A connection token for `user`, valid for an hour unless `extra` says otherwise.
  static std::string Token(std::string_view user, std::string_view extra = "") {
    std::string claims = "{\"sub\":\"" + std::string(user) + "\"";
    if (extra.find("\"exp\"") == std::string_view::npos) {
      claims += ",\"exp\":" + std::to_string(UnixSeconds() + 3600);
    }
    if (!extra.empty()) claims += "," + std::string(extra);
    claims += "}";
    return auth::SignHs256(claims, kSecret);
  }

  static std::string SubToken(std::string_view user, std::string_view channel,
                              std::string_view extra = "") {
    std::string claims = "{\"sub\":\"" + std::string(user) + "\",\"channel\":\"" +
                         std::string(channel) +
                         "\",\"exp\":" + std::to_string(UnixSeconds() + 3600);
    if (!extra.empty()) claims += "," + std::string(extra);
    claims += "}";
    return auth::SignHs256(claims, kSecret);
  }

  static std::string ConnectFrame(uint32_t id, std::string_view token) {
    return "{\"id\":" + std::to_string(id) + ",\"connect\":{\"token\":\"" + std::string(token) +
           "\"}}";
  }

  // A connected client of `user`; the connect reply is consumed.
  Conn& Connected(std::string_view user, int loop_index = 0) {
    Conn& c = NewConn(loop_index);
    c.Send(ConnectFrame(1, Token(user)));
    std::string reply = c.TakeOne();
    EXPECT_NE(Field(reply, "connect"), "") << reply;
    EXPECT_TRUE(c.client->connected());
    return c;
  }

  // Subscribes and returns the reply.
  static std::string Subscribe(Conn& c, uint32_t id, std::string_view channel,
                               std::string_view extra = "") {
    std::string frame = "{\"id\":" + std::to_string(id) + ",\"subscribe\":{\"channel\":\"" +
                        std::string(channel) + "\"";
    if (!extra.empty()) frame += "," + std::string(extra);
    frame += "}}";
    c.Send(frame);
    return c.TakeOne();
  }

  // Publishes as the server API does; returns the stream position.
  StreamPosition Publish(std::string_view channel, std::string data) {
    auto info = node_->rules().Resolve(channel);
    EXPECT_TRUE(info.ok());
    proto::Publication pub;
    pub.data = std::move(data);
    std::optional<Result<StreamPosition>> got;
    node_->Publish(channel, std::move(pub), node_->OptionsFor(*info->options),
                   [&](Result<StreamPosition> r) { got = std::move(r); });
    EXPECT_TRUE(got.has_value() && got->ok());
    return got && got->ok() ? got->value() : StreamPosition{};
  }

  // Runs posted work on every loop until all queues are empty.
  size_t RunAll() {
    size_t total = 0;
    for (bool again = true; again;) {
      again = false;
      for (auto& l : loops_) {
        size_t n = l->RunPosted();
        total += n;
        again = again || n > 0;
      }
    }
    return total;
  }

  // Moves every loop's clock.
  void Advance(int64_t ms) {
    for (auto& l : loops_) l->Advance(ms);
  }

 private:
  config::Config config_;
  std::vector<std::unique_ptr<FakeLoop>> loops_;
  std::unique_ptr<Node> node_;
  std::vector<std::unique_ptr<Conn>> conns_;
};

}  // namespace gyre::core::testing
