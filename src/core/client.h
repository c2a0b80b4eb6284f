// One connected client: the protocol state machine of spec §1.11, §3 and §4.
//
// A Client lives on one loop and is touched only from that loop's thread. It is created by the
// transport on a successful upgrade and destroyed by the transport after OnTransportClosed().
// Command families live in separate files: client.cc (lifecycle, dispatch, timers),
// client_connect.cc (connect, refresh), client_subscribe.cc (subscribe, unsubscribe,
// sub_refresh, fan-out delivery), client_commands.cc (publish, presence, history, rpc, send).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"
#include "base/status.h"
#include "base/timer_wheel.h"
#include "codec/protocol.h"
#include "core/broker.h"
#include "core/channel_rules.h"
#include "core/hub.h"
#include "core/transport.h"

namespace gyre::core {

class Node;
class Client;

struct Subscription {
  Client* client = nullptr;
  std::string channel;
  const config::ChannelOptions* options = nullptr;
  size_t hub_index = 0;  // position in the Hub's subscriber vector
  uint64_t offset = 0;   // last delivered offset (positioned/recoverable streams)
  std::string epoch;
  std::string chan_info;
  int64_t expire_at = 0;  // unix seconds; 0 = never
  bool server_side = false;
  bool positioned = false;
  bool recoverable = false;
  bool push_join_leave = false;
  bool presence = false;
  bool join_leave = false;   // emit join/leave for this subscriber
  bool delta = false;        // negotiated delta: "fossil" (spec §4.6)
  bool delta_ready = false;  // the client holds a full publication: deltas may follow
  // Until the subscribe reply (or connect reply, or Subscribe push) is written, live pushes
  // are held here and sent after it, minus what the reply already recovered.
  bool subscribing = false;
  struct Held {
    SharedBytes message;
    SharedBytes delta;  // delta variant of a publication for a delta subscription, or null
    uint64_t offset;
    PushKind kind;
  };
  std::vector<Held> held;
};

// What a subscription needs, however it was requested (client, token, server API).
struct SubscribeParams {
  std::string channel;
  ChannelInfo info;
  bool server_side = false;
  bool positioned = false;
  bool recoverable = false;
  bool push_join_leave = false;
  bool presence = false;
  bool join_leave = false;
  bool delta = false;  // fossil delta negotiated
  std::string chan_info;
  std::string data;
  int64_t expire_at = 0;
  bool recover = false;
  bool recover_requested = false;  // the client asked to recover (reported as was_recovering)
  uint64_t offset = 0;
  std::string epoch;
  bool reject_unrecovered = false;  // subscribe flag bit 2: answer 112 instead of recovered:false
  auth::Override override_;
};

// Parameters of a server-side subscription to `channel` with its namespace's defaults
// (force_* options, presence, join/leave).
SubscribeParams ServerSideParams(std::string channel, const ChannelInfo& info);

class Client {
 public:
  Client(Node* node, Hub* hub, Transport* transport, proto::Encoding encoding);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& id() const { return id_; }
  const std::string& user() const { return user_; }
  proto::Encoding encoding() const { return encoding_; }
  bool connected() const { return state_ == State::kConnected; }

  // Transport -> client.
  void Start();
  void HandleFrame(std::string_view frame);
  void OnTransportClosed();

  // Hub -> client. Never unsubscribes or disconnects itself: the Hub is iterating its
  // subscribers, so it acts on the outcome after the loop.
  enum class Delivery : uint8_t { kOk, kSlow, kInsufficientState };
  // Picks the variant of `push` this subscription needs (plain, or full/delta for a delta
  // subscription).
  Delivery DeliverPush(Subscription& sub, PushKind kind, const EncodedPush& push, uint64_t offset,
                       const std::string& epoch);
  // The subscription's stream position was lost (spec §4.5): unsubscribe push 2500, or
  // disconnect 3010 for a server-side subscription.
  void HandleInsufficientState(std::string_view channel);
  void Disconnect(const gyre::Disconnect& d);

  // Server API actions, run on this client's loop.
  void ServerSubscribe(SubscribeParams params);
  void ServerUnsubscribe(std::string_view channel);
  void ServerRefresh(bool expired, int64_t expire_at, const std::string* info);

 private:
  enum class State : uint8_t { kConnecting, kConnected, kFailed, kClosed };

  // client.cc
  void Dispatch(proto::Command& cmd);
  void SendReply(uint32_t id, proto::Result result);
  void SendError(uint32_t id, const Error& error);
  void SendPush(proto::Push push);
  bool CheckQueue();
  // `message` is the plain or full variant; `delta` the delta variant or null.
  Delivery DeliverMessage(Subscription& sub, PushKind kind, const SharedBytes& message,
                          const SharedBytes& delta, uint64_t offset);
  void SchedulePing(bool first);
  void ArmExpiry();
  static void OnPingTimer(void* self);
  static void OnPongTimer(void* self);
  static void OnStaleTimer(void* self);
  static void OnExpiryTimer(void* self);
  void CheckExpiry();
  proto::ClientInfo Info(const Subscription* sub) const;

  // client_connect.cc
  struct PendingConnect {
    uint32_t id = 0;
    size_t left = 0;  // server-side subscriptions still being set up
    bool failed = false;
    proto::ConnectResult result;
  };
  void HandleConnect(uint32_t id, proto::ConnectRequest& req);
  void CompleteConnect(PendingConnect& pending);
  void FailConnect(uint32_t id, const Error& error);
  void HandleRefresh(uint32_t id, proto::RefreshRequest& req);

  // client_subscribe.cc
  void HandleSubscribe(uint32_t id, proto::SubscribeRequest& req);
  void HandleUnsubscribe(uint32_t id, proto::UnsubscribeRequest& req);
  void HandleSubRefresh(uint32_t id, proto::SubRefreshRequest& req);
  // Registers the subscription, reads the stream position (and what to recover) from the
  // engine, and calls `done` on this loop. `done` writes the reply and then calls
  // ReleaseHeld(); an error has already removed the subscription.
  using SubscribeDone = std::function<void(Client*, Result<proto::SubscribeResult>)>;
  void SubscribeInternal(SubscribeParams params, SubscribeDone done);
  void FinishSubscribe(const SubscribeParams& params, Result<HistoryData> history,
                       const SubscribeDone& done);
  // Sends the pushes held while subscribing and starts live delivery.
  void ReleaseHeld(std::string_view channel);
  void UnsubscribeInternal(Subscription* sub, bool send_leave);
  Subscription* FindSub(std::string_view channel);
  void ApplyOverride(const auth::Override& o, SubscribeParams& p) const;

  // client_commands.cc
  void HandlePublish(uint32_t id, proto::PublishRequest& req);
  void HandlePresence(uint32_t id, proto::PresenceRequest& req);
  void HandlePresenceStats(uint32_t id, proto::PresenceStatsRequest& req);
  void HandleHistory(uint32_t id, proto::HistoryRequest& req);
  bool Permitted(bool for_client, bool for_subscriber, bool for_anonymous, std::string_view channel,
                 bool subscribing);
  // `subscribing`: the client is subscribing to `channel` now, which counts as subscribed.
  bool CanPresence(const config::ChannelOptions& o, std::string_view channel,
                   bool subscribing = false);
  // Checks shared by presence and presence_stats; answers the error itself when refused.
  bool PresenceAllowed(uint32_t id, const std::string& channel);
  bool CanHistory(const config::ChannelOptions& o, std::string_view channel,
                  bool subscribing = false);

  // Wraps a continuation of an engine call: it runs on this client's loop, and only while the
  // client still exists (engines may answer late and on another thread).
  template <class F>
  auto OnLoop(F f) {
    return [alive = alive_, loop = hub_->loop(), f = std::move(f)](auto result) mutable {
      auto run = [alive, f, result = std::move(result)]() mutable {
        if (Client* c = *alive) f(c, std::move(result));
      };
      if (loop->InLoopThread()) {
        run();
      } else {
        loop->Post(std::move(run));
      }
    };
  }

  Node* node_;
  Hub* hub_;
  Transport* transport_;
  proto::Encoding encoding_;
  State state_ = State::kConnecting;
  bool waiting_pong_ = false;
  bool counted_ = false;          // registered in Node's connection accounting
  bool in_hub_ = false;           // registered in the Hub's client and user maps
  bool connect_pending_ = false;  // connect accepted, server-side subscriptions in progress
  std::string id_;
  std::string user_;
  std::string conn_info_;
  int64_t expire_at_ = 0;  // unix seconds; 0 = never
  std::vector<std::unique_ptr<Subscription>> subs_;
  Timer ping_timer_;
  Timer pong_timer_;  // also the stale timer before connect
  Timer expiry_timer_;
  std::shared_ptr<Client*> alive_;  // points to this until destruction
};

}  // namespace gyre::core
