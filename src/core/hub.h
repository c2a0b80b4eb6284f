// Per-loop registry of this loop's clients and their subscriptions.
//
// Only the owning loop's thread touches a Hub. A publication reaches a Hub once (one posted task
// per loop), already encoded; the Hub hands the same buffer to each local subscriber. Clients
// that overflow their queue during a fan-out are disconnected after the loop over subscribers,
// never inside it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/protocol.h"
#include "core/loop.h"
#include "core/transport.h"

namespace gyre::core {

class Client;
struct Subscription;

// One push encoded once per wire format and, for publications in channels with delta
// subscribers (spec §4.6), once per delta variant.
struct EncodedPush {
  SharedBytes json;      // null when no JSON subscriber needs it
  SharedBytes protobuf;  // null when no protobuf subscriber needs it
  // Delta subscriptions. The full variant in JSON carries `data` as a JSON string (spec §1.8);
  // in protobuf it is `protobuf` itself. The delta variants carry a fossil delta against the
  // previous publication of the channel with `delta: true`; null when there is none (no
  // previous publication known, not requested, or not smaller than the payload).
  SharedBytes json_full;
  SharedBytes json_delta;
  SharedBytes protobuf_delta;
  const SharedBytes& For(proto::Encoding e) const {
    return e == proto::Encoding::kJson ? json : protobuf;
  }
  const SharedBytes& FullFor(proto::Encoding e) const {
    return e == proto::Encoding::kJson ? json_full : protobuf;
  }
  const SharedBytes& DeltaFor(proto::Encoding e) const {
    return e == proto::Encoding::kJson ? json_delta : protobuf_delta;
  }
};

enum class PushKind : uint8_t { kPublication, kJoin, kLeave };

class Hub {
 public:
  explicit Hub(Loop* loop) : loop_(loop) {}
  Loop* loop() const { return loop_; }

  void AddClient(Client* c);
  void RemoveClient(Client* c);
  Client* FindClient(std::string_view id) const;
  // Clients of `user` on this loop (copy: callers may disconnect while iterating).
  std::vector<Client*> UserClients(std::string_view user) const;
  size_t num_clients() const { return clients_.size(); }

  // Returns true when this was the first local subscriber of the channel.
  bool AddSubscriber(Subscription* sub);
  // Returns true when the channel has no local subscribers left.
  bool RemoveSubscriber(Subscription* sub);

  // Fan-out of one push to every local subscriber of `channel`.
  void Deliver(const std::string& channel, PushKind kind, const EncodedPush& push, uint64_t offset,
               const std::string& epoch);

  std::vector<Client*> AllClients() const;

 private:
  Loop* loop_;
  std::unordered_map<std::string, std::vector<Subscription*>> channels_;
  std::unordered_map<std::string_view, Client*> clients_;  // by client id
  std::unordered_multimap<std::string_view, Client*> users_;
};

}  // namespace gyre::core
