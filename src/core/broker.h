// The Broker moves publications between nodes and keeps channel history (spec §4.5, §9).
//
// Contract for every implementation (memory, Redis):
// - Publish assigns the next offset in the channel's stream when history is on, appends to
//   history, then hands the publication to the registered BrokerEventHandler of every node
//   (this node included). For one channel, handlers see publications in offset order.
// - A publication whose position was assigned before a History() call started is either in the
//   History() result or delivered to the handler after the subscriber registered itself in the
//   node's registry (see Node::Subscribe): there is no gap between history and live delivery.
// - Callbacks may run inline on the calling thread (memory) or later on another thread (a
//   networked engine); the Client re-posts them to its own loop (Client::OnLoop) and holds live
//   publications that arrive before its subscribe reply (Subscription::held). Callbacks must be
//   cheap and must not block.
// - Thread-safe: called from every event loop.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "codec/protocol.h"
#include "config/config.h"

namespace gyre::core {

struct StreamPosition {
  uint64_t offset = 0;
  std::string epoch;
};

struct PublishOptions {
  int history_size = 0;
  config::Duration history_ttl{0};
  config::Duration history_meta_ttl{0};
  std::string idempotency_key;  // "" = none; results cached 5 minutes per channel
  bool HistoryOn() const { return history_size > 0 && history_ttl.count() > 0; }
};

struct HistoryQuery {
  std::optional<StreamPosition> since;  // only publications after since.offset
  int limit = 0;                        // 0 = position only, -1 = no limit
  bool reverse = false;
  config::Duration meta_ttl{0};
};

struct HistoryData {
  std::vector<proto::Publication> publications;
  StreamPosition top;  // current stream top (offset of the last publication) and epoch
};

// Receives what the broker delivers; implemented by Node.
class BrokerEventHandler {
 public:
  virtual ~BrokerEventHandler() = default;
  virtual void HandlePublication(std::string_view channel, const proto::Publication& pub,
                                 const StreamPosition& position) = 0;
  virtual void HandleJoin(std::string_view channel, const proto::ClientInfo& info) = 0;
  virtual void HandleLeave(std::string_view channel, const proto::ClientInfo& info) = 0;
};

class Broker {
 public:
  using PublishCallback = std::function<void(Result<StreamPosition>)>;
  using HistoryCallback = std::function<void(Result<HistoryData>)>;
  using DoneCallback = std::function<void(Result<bool>)>;

  virtual ~Broker() = default;
  virtual void SetHandler(BrokerEventHandler* handler) = 0;
  // Publication `pub` (offset ignored; assigned here when history is on).
  virtual void Publish(std::string_view channel, proto::Publication pub,
                       const PublishOptions& options, PublishCallback done) = 0;
  virtual void PublishJoin(std::string_view channel, const proto::ClientInfo& info) = 0;
  virtual void PublishLeave(std::string_view channel, const proto::ClientInfo& info) = 0;
  // Node-level interest in a channel (first local subscriber / last one gone). Memory: no-op.
  virtual void Subscribe(std::string_view channel) = 0;
  virtual void Unsubscribe(std::string_view channel) = 0;
  virtual void History(std::string_view channel, const HistoryQuery& query,
                       HistoryCallback done) = 0;
  virtual void RemoveHistory(std::string_view channel, DoneCallback done) = 0;
};

// Channel presence (spec §4.8, §9.4). Thread-safe; callbacks as for Broker.
class PresenceManager {
 public:
  struct Stats {
    uint32_t num_clients = 0;
    uint32_t num_users = 0;
  };
  using PresenceMap = std::map<std::string, proto::ClientInfo>;

  virtual ~PresenceManager() = default;
  virtual void Add(std::string_view channel, const proto::ClientInfo& info) = 0;
  virtual void Remove(std::string_view channel, std::string_view client_id,
                      std::string_view user) = 0;
  virtual void Get(std::string_view channel, std::function<void(Result<PresenceMap>)> done) = 0;
  virtual void GetStats(std::string_view channel, std::function<void(Result<Stats>)> done) = 0;
};

}  // namespace gyre::core
