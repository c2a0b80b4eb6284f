#include "core/client.h"

#include "base/log.h"
#include "base/util.h"
#include "codec/codec.h"
#include "core/node.h"

namespace gyre::core {

Client::Client(Node* node, Hub* hub, Transport* transport, proto::Encoding encoding)
    : node_(node),
      hub_(hub),
      transport_(transport),
      encoding_(encoding),
      id_(NewUuid()),
      alive_(std::make_shared<Client*>(this)) {
  ping_timer_.Set(&Client::OnPingTimer, this);
  pong_timer_.Set(&Client::OnStaleTimer, this);
  expiry_timer_.Set(&Client::OnExpiryTimer, this);
}

Client::~Client() {
  *alive_ = nullptr;
}

void Client::Start() {
  // Not authenticated within stale_close_delay -> 3502.
  hub_->loop()->timers().Arm(pong_timer_, node_->config().client.stale_close_delay.count());
}

void Client::HandleFrame(std::string_view frame) {
  if (state_ == State::kClosed) return;
  std::vector<proto::Command> cmds;
  codec::DecodeResult r = codec::DecodeCommands(encoding_, frame, cmds);
  if (r.status != codec::DecodeStatus::kOk) {
    spdlog::info("client {} sent a malformed frame: {}", id_, r.message);
    Disconnect(disconnects::BadRequest());
    return;
  }
  for (auto& cmd : cmds) {
    if (state_ == State::kClosed) return;
    Dispatch(cmd);
  }
}

void Client::Dispatch(proto::Command& cmd) {
  auto& req = cmd.request;
  if (cmd.id == 0) {
    if (std::holds_alternative<std::monostate>(req)) {
      // A pong. Only valid as the answer to an outstanding ping.
      if (state_ != State::kConnected || !waiting_pong_) {
        Disconnect(disconnects::BadRequest());
        return;
      }
      waiting_pong_ = false;
      pong_timer_.Cancel();
      return;
    }
    if (!std::holds_alternative<proto::SendRequest>(req)) {
      Disconnect(disconnects::BadRequest());
      return;
    }
  }
  if (state_ == State::kConnecting) {
    auto* c = std::get_if<proto::ConnectRequest>(&req);
    if (c && !connect_pending_) {
      HandleConnect(cmd.id, *c);
    } else {
      Disconnect(disconnects::BadRequest());
    }
    return;
  }
  if (state_ == State::kFailed) {
    // After a refused connect (e.g. 109) Centrifugo leaves the connection open and answers
    // nothing until the client reconnects or the stale timer closes it.
    return;
  }
  std::visit(
      [&](auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, proto::SubscribeRequest>)
          HandleSubscribe(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::UnsubscribeRequest>)
          HandleUnsubscribe(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::PublishRequest>)
          HandlePublish(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::PresenceRequest>)
          HandlePresence(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::PresenceStatsRequest>)
          HandlePresenceStats(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::HistoryRequest>)
          HandleHistory(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::RefreshRequest>)
          HandleRefresh(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::SubRefreshRequest>)
          HandleSubRefresh(cmd.id, r);
        else if constexpr (std::is_same_v<T, proto::RpcRequest>)
          SendError(cmd.id, errors::NotAvailable());
        else if constexpr (std::is_same_v<T, proto::SendRequest>)
          Disconnect(disconnects::NotAvailable());
        else
          Disconnect(disconnects::BadRequest());  // second connect, ping, unknown
      },
      req);
}

void Client::SendReply(uint32_t id, proto::Result result) {
  proto::Reply reply;
  reply.id = id;
  reply.result = std::move(result);
  std::string out;
  codec::EncodeReply(encoding_, reply, out);
  transport_->Send(std::move(out));
  CheckQueue();
}

void Client::SendError(uint32_t id, const Error& e) {
  proto::Reply reply;
  reply.id = id;
  reply.error = proto::ReplyError{e.code, e.message, e.temporary};
  std::string out;
  codec::EncodeReply(encoding_, reply, out);
  transport_->Send(std::move(out));
}

void Client::SendPush(proto::Push push) {
  std::string out;
  codec::EncodePush(encoding_, push, out);
  transport_->Send(std::move(out));
  CheckQueue();
}

bool Client::CheckQueue() {
  if (transport_->QueuedBytes() > static_cast<size_t>(node_->config().client.queue_max_size)) {
    Disconnect(disconnects::Slow());
    return false;
  }
  return true;
}

Client::Delivery Client::DeliverPush(Subscription& sub, PushKind kind, const EncodedPush& push,
                                     uint64_t offset, const std::string& epoch) {
  (void)epoch;
  if (sub.delta && kind == PushKind::kPublication) {
    return DeliverMessage(sub, kind, push.FullFor(encoding_), push.DeltaFor(encoding_), offset);
  }
  static const SharedBytes kNone;
  return DeliverMessage(sub, kind, push.For(encoding_), kNone, offset);
}

Client::Delivery Client::DeliverMessage(Subscription& sub, PushKind kind,
                                        const SharedBytes& message, const SharedBytes& delta,
                                        uint64_t offset) {
  if (!message) return Delivery::kOk;
  if (state_ != State::kConnected && state_ != State::kConnecting) return Delivery::kOk;
  if (sub.subscribing) {
    if (kind == PushKind::kPublication || sub.push_join_leave) {
      sub.held.push_back({message, delta, offset, kind});
    }
    return Delivery::kOk;
  }
  const SharedBytes* out = &message;
  if (kind == PushKind::kPublication) {
    if (offset > 0 && (sub.positioned || sub.recoverable)) {
      if (offset <= sub.offset) return Delivery::kOk;  // already sent (history overlap)
      if (sub.positioned && sub.offset > 0 && offset > sub.offset + 1) {
        return Delivery::kInsufficientState;
      }
      sub.offset = offset;
    }
    if (sub.delta) {
      // The first publication after subscribing is full; later ones may be deltas, but only
      // on positioned subscriptions, where the offset check above proves the client holds the
      // previous publication (the delta's base).
      if (!sub.delta_ready) {
        sub.delta_ready = true;
      } else if (delta && sub.positioned) {
        out = &delta;
      }
    }
  } else if (!sub.push_join_leave) {
    return Delivery::kOk;
  }
  transport_->Send(*out);
  return transport_->QueuedBytes() <= static_cast<size_t>(node_->config().client.queue_max_size)
             ? Delivery::kOk
             : Delivery::kSlow;
}

void Client::HandleInsufficientState(std::string_view channel) {
  Subscription* sub = FindSub(channel);
  if (!sub || state_ != State::kConnected) return;
  if (sub->server_side) {
    Disconnect(disconnects::InsufficientState());
    return;
  }
  proto::Push p;
  p.channel = sub->channel;
  p.body = proto::Unsubscribe{unsubscribes::kInsufficientState.code,
                              std::string(unsubscribes::kInsufficientState.reason)};
  UnsubscribeInternal(sub, true);
  SendPush(std::move(p));
}

void Client::Disconnect(const gyre::Disconnect& d) {
  if (state_ == State::kClosed) return;
  transport_->Close(d);  // calls OnTransportClosed
}

void Client::OnTransportClosed() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  ping_timer_.Cancel();
  pong_timer_.Cancel();
  expiry_timer_.Cancel();
  while (!subs_.empty()) UnsubscribeInternal(subs_.back().get(), true);
  if (in_hub_) hub_->RemoveClient(this);
  in_hub_ = false;
  if (counted_) node_->RemoveConnection(user_);
}

void Client::SchedulePing(bool first) {
  int64_t interval = node_->config().client.ping_interval.count();
  if (interval <= 0) return;
  int64_t delay = interval;
  if (first) {
    // First ping at a random moment in [interval/2, interval) to spread the load.
    uint32_t r;
    RandomBytes(&r, sizeof r);
    delay = interval / 2 + static_cast<int64_t>(r % static_cast<uint32_t>(interval / 2 + 1));
  }
  hub_->loop()->timers().Arm(ping_timer_, delay);
}

void Client::OnPingTimer(void* self) {
  auto* c = static_cast<Client*>(self);
  if (c->state_ != State::kConnected) return;
  std::string ping;
  codec::EncodePing(c->encoding_, ping);
  c->transport_->Send(std::move(ping));
  int64_t pong_timeout = c->node_->config().client.pong_timeout.count();
  if (pong_timeout > 0 && !c->waiting_pong_) {
    c->waiting_pong_ = true;
    c->pong_timer_.Set(&Client::OnPongTimer, c);
    c->hub_->loop()->timers().Arm(c->pong_timer_, pong_timeout);
  }
  c->SchedulePing(false);
}

void Client::OnPongTimer(void* self) {
  auto* c = static_cast<Client*>(self);
  if (c->waiting_pong_) c->Disconnect(disconnects::NoPong());
}

void Client::OnStaleTimer(void* self) {
  auto* c = static_cast<Client*>(self);
  if (c->state_ == State::kConnecting || c->state_ == State::kFailed) {
    c->Disconnect(disconnects::Stale());
  }
}

void Client::ArmExpiry() {
  int64_t now = UnixSeconds();
  int64_t next = 0;
  auto consider = [&](int64_t at) {
    if (at > 0 && (next == 0 || at < next)) next = at;
  };
  if (expire_at_ > 0)
    consider(expire_at_ + node_->config().client.expired_close_delay.count() / 1000);
  for (auto& s : subs_) {
    if (s->expire_at > 0) {
      consider(s->expire_at + node_->config().client.expired_sub_close_delay.count() / 1000);
    }
  }
  if (next == 0) {
    expiry_timer_.Cancel();
    return;
  }
  int64_t delay_ms = (next - now) * 1000;
  hub_->loop()->timers().Arm(expiry_timer_, delay_ms > 0 ? delay_ms : 0);
}

void Client::OnExpiryTimer(void* self) {
  static_cast<Client*>(self)->CheckExpiry();
}

void Client::CheckExpiry() {
  if (state_ != State::kConnected) return;
  int64_t now = UnixSeconds();
  const auto& cc = node_->config().client;
  if (expire_at_ > 0 && now >= expire_at_ + cc.expired_close_delay.count() / 1000) {
    Disconnect(disconnects::Expired());
    return;
  }
  // Names, not pointers: sending a push may disconnect this client (slow), which frees every
  // subscription.
  std::vector<std::string> expired;
  for (auto& s : subs_) {
    if (s->expire_at > 0 && now >= s->expire_at + cc.expired_sub_close_delay.count() / 1000) {
      expired.push_back(s->channel);
    }
  }
  for (const auto& channel : expired) {
    if (state_ != State::kConnected) return;
    Subscription* s = FindSub(channel);
    if (!s) continue;
    if (s->server_side) {
      Disconnect(disconnects::SubExpired());
      return;
    }
    proto::Push p;
    p.channel = channel;
    p.body =
        proto::Unsubscribe{unsubscribes::kExpired.code, std::string(unsubscribes::kExpired.reason)};
    UnsubscribeInternal(s, true);
    SendPush(std::move(p));
  }
  if (state_ == State::kConnected) ArmExpiry();
}

proto::ClientInfo Client::Info(const Subscription* sub) const {
  proto::ClientInfo info;
  info.user = user_;
  info.client = id_;
  info.conn_info = conn_info_;
  if (sub) info.chan_info = sub->chan_info;
  return info;
}

}  // namespace gyre::core
