#include "core/node.h"

#include <unistd.h>

#include <algorithm>

#include "base/log.h"
#include "base/util.h"
#include "codec/codec.h"
#include "codec/fossil.h"

namespace gyre::core {

Node::Node(const config::Config& config, std::shared_ptr<auth::Verifier> token_verifier,
           std::shared_ptr<auth::Verifier> sub_token_verifier, std::unique_ptr<Broker> broker,
           std::unique_ptr<PresenceManager> presence, std::vector<Loop*> loops)
    : config_(config),
      rules_(config),
      token_verifier_(std::move(token_verifier)),
      sub_token_verifier_(std::move(sub_token_verifier)),
      broker_(std::move(broker)),
      presence_(std::move(presence)),
      loops_(std::move(loops)),
      id_(NewUuid()),
      version_(GYRE_VERSION),
      started_at_(UnixSeconds()) {
  for (Loop* l : loops_) hubs_.push_back(std::make_unique<Hub>(l));
  name_ = config.node_name;
  if (name_.empty()) {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    name_ = std::string(host) + "_" + std::to_string(config.http_server.port);
  }
  broker_->SetHandler(this);
}

Node::~Node() = default;

Node::Shard& Node::ShardFor(std::string_view channel) {
  return shards_[std::hash<std::string_view>()(channel) % kShards];
}
const Node::Shard& Node::ShardFor(std::string_view channel) const {
  return shards_[std::hash<std::string_view>()(channel) % kShards];
}

PublishOptions Node::OptionsFor(const config::ChannelOptions& ns) const {
  PublishOptions o;
  o.history_size = ns.history_size;
  o.history_ttl = ns.history_ttl;
  o.history_meta_ttl =
      ns.history_meta_ttl.count() > 0 ? ns.history_meta_ttl : config_.channel.history_meta_ttl;
  return o;
}

void Node::Publish(std::string_view channel, proto::Publication pub, const PublishOptions& options,
                   Broker::PublishCallback done) {
  pub.time = UnixMillis();
  broker_->Publish(channel, std::move(pub), options, std::move(done));
}

void Node::RegisterSubscriber(std::string_view channel, int loop_index, proto::Encoding enc,
                              bool delta) {
  bool first = false;
  {
    Shard& s = ShardFor(channel);
    std::lock_guard lock(s.mu);
    auto [it, inserted] = s.channels.try_emplace(std::string(channel));
    ChannelEntry& e = it->second;
    if (inserted) {
      e.json.assign(hubs_.size(), 0);
      e.protobuf.assign(hubs_.size(), 0);
      first = true;
    }
    auto& v = enc == proto::Encoding::kJson ? e.json : e.protobuf;
    ++v[static_cast<size_t>(loop_index)];
    ++e.total;
    if (delta) ++(enc == proto::Encoding::kJson ? e.delta_json : e.delta_protobuf);
  }
  ++num_subs_;
  if (first) broker_->Subscribe(channel);
}

void Node::UnregisterSubscriber(std::string_view channel, int loop_index, proto::Encoding enc,
                                bool delta) {
  bool last = false;
  {
    Shard& s = ShardFor(channel);
    std::lock_guard lock(s.mu);
    auto it = s.channels.find(std::string(channel));
    if (it == s.channels.end()) return;
    ChannelEntry& e = it->second;
    auto& v = enc == proto::Encoding::kJson ? e.json : e.protobuf;
    if (v[static_cast<size_t>(loop_index)] > 0) --v[static_cast<size_t>(loop_index)];
    if (e.total > 0) --e.total;
    if (delta) {
      uint32_t& d = enc == proto::Encoding::kJson ? e.delta_json : e.delta_protobuf;
      if (d > 0) --d;
      if (e.delta_json + e.delta_protobuf == 0) e.prev_data.reset();
    }
    if (e.total == 0) {
      s.channels.erase(it);
      last = true;
    }
  }
  --num_subs_;
  if (last) broker_->Unsubscribe(channel);
}

void Node::FanOut(std::string_view channel, PushKind kind, const proto::Push& push, uint64_t offset,
                  const std::string& epoch, bool delta) {
  // Snapshot which loops need which encodings, then encode once per encoding (and per delta
  // variant when the channel has delta subscribers).
  std::vector<uint8_t> need(hubs_.size(), 0);  // bit 1 json, bit 2 protobuf
  bool any_json = false, any_pb = false;
  bool plain_json = false;
  bool delta_json = false, delta_pb = false;
  std::shared_ptr<const std::string> base;  // delta base: the previous publication's payload
  const auto* pub = std::get_if<proto::Publication>(&push.body);
  {
    Shard& s = ShardFor(channel);
    std::lock_guard lock(s.mu);
    auto it = s.channels.find(std::string(channel));
    if (it == s.channels.end()) return;
    ChannelEntry& e = it->second;
    uint32_t json_subs = 0;
    for (size_t i = 0; i < hubs_.size(); ++i) {
      if (e.json[i]) {
        need[i] |= 1;
        any_json = true;
        json_subs += e.json[i];
      }
      if (e.protobuf[i]) {
        need[i] |= 2;
        any_pb = true;
      }
    }
    // Delta subscribers take the full or delta variant of publications, the plain one of the
    // rest.
    plain_json = any_json && (kind != PushKind::kPublication || json_subs > e.delta_json);
    if (kind == PushKind::kPublication && pub && (e.delta_json || e.delta_protobuf)) {
      delta_json = e.delta_json > 0;
      delta_pb = e.delta_protobuf > 0;
      // Publications of one channel arrive here in offset order (the broker's channel lock), so
      // the previous payload is the base exactly when its offset is the one before.
      if (offset > 0) {
        if (delta && e.prev_data && e.prev_offset + 1 == offset && e.prev_epoch == epoch) {
          base = e.prev_data;
        }
        e.prev_data = std::make_shared<const std::string>(pub->data);
        e.prev_offset = offset;
        e.prev_epoch = epoch;
      }
    }
  }
  auto encoded = std::make_shared<EncodedPush>();
  auto encode = [&](proto::Encoding enc, const proto::Push& p) {
    auto s = std::make_shared<std::string>();
    codec::EncodePush(enc, p, *s);
    return s;
  };
  if (plain_json) encoded->json = encode(proto::Encoding::kJson, push);
  if (any_pb) encoded->protobuf = encode(proto::Encoding::kProtobuf, push);
  if (delta_json || delta_pb) {
    proto::Push variant = push;
    auto& vp = std::get<proto::Publication>(variant.body);
    vp.epoch.clear();  // Centrifugo's delta-subscription variants do not carry the epoch
    if (delta_json) {
      vp.data.clear();
      codec::AppendJsonString(pub->data, vp.data);
      encoded->json_full = encode(proto::Encoding::kJson, variant);
    }
    if (base) {
      std::string patch = codec::FossilDelta(*base, pub->data);
      if (patch.size() < pub->data.size()) {
        vp.delta = true;
        if (delta_pb) {
          vp.data = patch;
          encoded->protobuf_delta = encode(proto::Encoding::kProtobuf, variant);
        }
        if (delta_json) {
          vp.data.clear();
          codec::AppendJsonString(patch, vp.data);
          encoded->json_delta = encode(proto::Encoding::kJson, variant);
        }
      }
    }
  }
  auto ch = std::make_shared<const std::string>(channel);
  auto ep = std::make_shared<const std::string>(epoch);
  for (size_t i = 0; i < hubs_.size(); ++i) {
    if (!need[i]) continue;
    Hub* hub = hubs_[i].get();
    hub->loop()->Post(
        [hub, ch, ep, encoded, kind, offset] { hub->Deliver(*ch, kind, *encoded, offset, *ep); });
  }
}

void Node::HandlePublication(std::string_view channel, const proto::Publication& pub,
                             const StreamPosition& position) {
  proto::Push push;
  push.channel = std::string(channel);
  proto::Publication p = pub;
  p.time = 0;  // never sent to clients
  p.offset = position.offset;
  // `delta` marks a publication published with delta; it is not sent as such.
  bool delta = p.delta;
  p.delta = false;
  push.body = std::move(p);
  FanOut(channel, PushKind::kPublication, push, position.offset, position.epoch, delta);
}

void Node::HandleJoin(std::string_view channel, const proto::ClientInfo& info) {
  proto::Push push;
  push.channel = std::string(channel);
  push.body = proto::Join{info};
  FanOut(channel, PushKind::kJoin, push, 0, {});
}

void Node::HandleLeave(std::string_view channel, const proto::ClientInfo& info) {
  proto::Push push;
  push.channel = std::string(channel);
  push.body = proto::Leave{info};
  FanOut(channel, PushKind::kLeave, push, 0, {});
}

bool Node::AddConnection(std::string_view user) {
  std::lock_guard lock(users_mu_);
  int limit = config_.client.user_connection_limit;
  auto& n = users_[std::string(user)];
  if (limit > 0 && !user.empty() && n >= static_cast<uint32_t>(limit)) {
    if (n == 0) users_.erase(std::string(user));
    return false;
  }
  ++n;
  ++num_clients_;
  return true;
}

void Node::RemoveConnection(std::string_view user) {
  std::lock_guard lock(users_mu_);
  auto it = users_.find(std::string(user));
  if (it == users_.end()) return;
  if (--it->second == 0) users_.erase(it);
  --num_clients_;
}

bool Node::AdmitConnection() {
  const auto& cc = config_.client;
  if (cc.connection_limit > 0 &&
      num_clients_.load() >= static_cast<uint32_t>(cc.connection_limit)) {
    return false;
  }
  if (cc.connection_rate_limit <= 0) return true;
  std::lock_guard lock(rate_mu_);
  int64_t now = UnixMillis();
  double rate = cc.connection_rate_limit;
  if (rate_refill_ms_ == 0) rate_tokens_ = rate;
  rate_tokens_ = std::min(rate, rate_tokens_ + (now - rate_refill_ms_) * rate / 1000.0);
  rate_refill_ms_ = now;
  if (rate_tokens_ < 1) return false;
  rate_tokens_ -= 1;
  return true;
}

NodeStats Node::Stats() const {
  NodeStats s;
  s.num_clients = num_clients_.load();
  {
    std::lock_guard lock(users_mu_);
    s.num_users = static_cast<uint32_t>(users_.size());
  }
  for (const Shard& sh : shards_) {
    std::lock_guard lock(sh.mu);
    s.num_channels += static_cast<uint32_t>(sh.channels.size());
  }
  s.num_subs = num_subs_.load();
  return s;
}

std::vector<std::pair<std::string, uint32_t>> Node::Channels(std::string_view pattern) const {
  std::vector<std::pair<std::string, uint32_t>> out;
  for (const Shard& sh : shards_) {
    std::lock_guard lock(sh.mu);
    for (const auto& [name, e] : sh.channels) {
      if (pattern.empty() || GlobMatch(pattern, name)) out.emplace_back(name, e.total);
    }
  }
  return out;
}

void Node::ForEachHub(std::function<void(Hub&)> fn) {
  auto shared = std::make_shared<std::function<void(Hub&)>>(std::move(fn));
  for (auto& h : hubs_) {
    Hub* hub = h.get();
    hub->loop()->Post([hub, shared] { (*shared)(*hub); });
  }
}

}  // namespace gyre::core
