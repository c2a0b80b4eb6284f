// The Node ties a server together: configuration, token verifiers, broker, presence, and one Hub
// per event loop. Everything here is thread-safe; Hubs are reached only through their loop.
//
// Life of a publication: Node::Publish -> Broker::Publish (offset, history) ->
// Node::HandlePublication (called by the broker, for every node) -> encode once per encoding ->
// one posted task per loop that has subscribers -> Hub::Deliver -> each client's transport queue.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/jwt.h"
#include "config/config.h"
#include "core/broker.h"
#include "core/channel_rules.h"
#include "core/hub.h"
#include "core/loop.h"

namespace gyre::core {

struct NodeStats {
  uint32_t num_clients = 0;
  uint32_t num_users = 0;
  uint32_t num_channels = 0;
  uint32_t num_subs = 0;
};

class Node final : public BrokerEventHandler {
 public:
  Node(const config::Config& config, std::shared_ptr<auth::Verifier> token_verifier,
       std::shared_ptr<auth::Verifier> sub_token_verifier, std::unique_ptr<Broker> broker,
       std::unique_ptr<PresenceManager> presence, std::vector<Loop*> loops);
  ~Node() override;

  const config::Config& config() const { return config_; }
  const ChannelRules& rules() const { return rules_; }
  const auth::Verifier& token_verifier() const { return *token_verifier_; }
  const auth::Verifier& sub_token_verifier() const { return *sub_token_verifier_; }
  Broker& broker() { return *broker_; }
  PresenceManager& presence() { return *presence_; }
  Hub& hub(int loop_index) { return *hubs_[static_cast<size_t>(loop_index)]; }
  size_t num_loops() const { return hubs_.size(); }
  const std::string& id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  int64_t started_at() const { return started_at_; }

  // Publishes to a channel (server API and client publish). `done` gets the stream position.
  void Publish(std::string_view channel, proto::Publication pub, const PublishOptions& options,
               Broker::PublishCallback done);
  PublishOptions OptionsFor(const config::ChannelOptions& ns) const;

  // Registry of which loops have subscribers; called by Client on its loop thread.
  // `delta`: the subscription negotiated fossil deltas (spec §4.6).
  void RegisterSubscriber(std::string_view channel, int loop_index, proto::Encoding encoding,
                          bool delta = false);
  void UnregisterSubscriber(std::string_view channel, int loop_index, proto::Encoding encoding,
                            bool delta = false);

  // Connection accounting for limits and info. AddUserConnection returns false when
  // client.user_connection_limit is reached for `user`.
  bool AddConnection(std::string_view user);
  void RemoveConnection(std::string_view user);
  NodeStats Stats() const;
  // client.connection_limit and client.connection_rate_limit (per second, node-wide), checked
  // before a connection is accepted. False means "answer 503".
  bool AdmitConnection();
  // Channel name -> number of subscribers on this node, filtered by glob pattern ("" = all).
  std::vector<std::pair<std::string, uint32_t>> Channels(std::string_view pattern) const;

  // Runs fn(hub) on every loop (server API subscribe/unsubscribe/disconnect/refresh).
  void ForEachHub(std::function<void(Hub&)> fn);

  // BrokerEventHandler.
  void HandlePublication(std::string_view channel, const proto::Publication& pub,
                         const StreamPosition& position) override;
  void HandleJoin(std::string_view channel, const proto::ClientInfo& info) override;
  void HandleLeave(std::string_view channel, const proto::ClientInfo& info) override;

 private:
  struct ChannelEntry {
    std::vector<uint32_t> json;      // subscribers per loop
    std::vector<uint32_t> protobuf;  // subscribers per loop
    uint32_t total = 0;
    uint32_t delta_json = 0;  // delta subscribers on this node, by encoding
    uint32_t delta_protobuf = 0;
    // While the channel has delta subscribers: the payload of its last publication, the base
    // of the next publication's delta.
    std::shared_ptr<const std::string> prev_data;
    uint64_t prev_offset = 0;
    std::string prev_epoch;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, ChannelEntry> channels;
  };
  static constexpr size_t kShards = 64;
  Shard& ShardFor(std::string_view channel);
  const Shard& ShardFor(std::string_view channel) const;
  // `delta`: the publication was published with delta (server API `delta` or namespace
  // `delta_publish`).
  void FanOut(std::string_view channel, PushKind kind, const proto::Push& push, uint64_t offset,
              const std::string& epoch, bool delta = false);

  const config::Config& config_;
  ChannelRules rules_;
  std::shared_ptr<auth::Verifier> token_verifier_;
  std::shared_ptr<auth::Verifier> sub_token_verifier_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<PresenceManager> presence_;
  std::vector<Loop*> loops_;
  std::vector<std::unique_ptr<Hub>> hubs_;
  std::array<Shard, kShards> shards_;
  std::string id_;
  std::string name_;
  std::string version_;
  int64_t started_at_;

  mutable std::mutex users_mu_;
  std::unordered_map<std::string, uint32_t> users_;  // user -> connections
  std::atomic<uint32_t> num_clients_{0};
  std::mutex rate_mu_;
  double rate_tokens_ = 0;
  int64_t rate_refill_ms_ = 0;
  std::atomic<uint32_t> num_subs_{0};
};

}  // namespace gyre::core
