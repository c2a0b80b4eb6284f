// In-process Broker and PresenceManager: the default engine for a single node.
//
// Streams are kept per channel under a sharded lock. Publish assigns the offset, appends, and
// calls the node's handler while still holding the channel's lock, so publications of one channel
// reach the handler in offset order even when published from several loops at once.
#pragma once

#include <array>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/broker.h"

namespace gyre::broker {

class MemoryBroker final : public core::Broker {
 public:
  MemoryBroker() = default;
  void SetHandler(core::BrokerEventHandler* handler) override { handler_ = handler; }
  void Publish(std::string_view channel, proto::Publication pub,
               const core::PublishOptions& options, PublishCallback done) override;
  void PublishJoin(std::string_view channel, const proto::ClientInfo& info) override;
  void PublishLeave(std::string_view channel, const proto::ClientInfo& info) override;
  void Subscribe(std::string_view) override {}
  void Unsubscribe(std::string_view) override {}
  void History(std::string_view channel, const core::HistoryQuery& query,
               HistoryCallback done) override;
  void RemoveHistory(std::string_view channel, DoneCallback done) override;

 private:
  struct Stream {
    std::string epoch;
    uint64_t top = 0;
    std::deque<proto::Publication> pubs;
    int64_t pubs_expire_ms = 0;  // history_ttl after the last publication
    int64_t meta_expire_ms = 0;  // history_meta_ttl
  };
  struct Idempotent {
    core::StreamPosition position;
    int64_t expire_ms = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Stream> streams;
    std::unordered_map<std::string, Idempotent> results;  // channel + '\0' + key
    uint32_t ops = 0;                                     // operations since the last sweep
  };
  static constexpr uint32_t kSweepEvery = 4096;
  static constexpr size_t kShards = 64;
  static constexpr int64_t kIdempotencyMs = 5 * 60 * 1000;

  Shard& ShardFor(std::string_view channel);
  // Returns the channel's stream, creating or resetting expired parts; lock held.
  Stream& StreamLocked(Shard& s, std::string_view channel, int64_t now_ms, int64_t meta_ttl_ms);
  // Drops streams whose meta expired and stale idempotency results, every kSweepEvery
  // operations on a shard, so channels that are never touched again do not stay in memory.
  static void MaybeSweepLocked(Shard& s, int64_t now_ms);

  core::BrokerEventHandler* handler_ = nullptr;
  std::array<Shard, kShards> shards_;
};

class MemoryPresence final : public core::PresenceManager {
 public:
  void Add(std::string_view channel, const proto::ClientInfo& info) override;
  void Remove(std::string_view channel, std::string_view client_id, std::string_view user) override;
  void Get(std::string_view channel, std::function<void(Result<PresenceMap>)> done) override;
  void GetStats(std::string_view channel, std::function<void(Result<Stats>)> done) override;

 private:
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, PresenceMap> channels;
  };
  static constexpr size_t kShards = 16;
  Shard& ShardFor(std::string_view channel);
  std::array<Shard, kShards> shards_;
};

}  // namespace gyre::broker
