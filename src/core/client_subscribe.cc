// Subscribe, unsubscribe, sub_refresh and server-side subscriptions (spec §4).
#include <algorithm>

#include "base/log.h"
#include "base/util.h"
#include "codec/codec.h"
#include "codec/fossil.h"
#include "core/client.h"
#include "core/node.h"

namespace gyre::core {

SubscribeParams ServerSideParams(std::string channel, const ChannelInfo& info) {
  SubscribeParams p;
  p.channel = std::move(channel);
  p.info = info;
  p.server_side = true;
  const auto& o = *info.options;
  p.presence = o.presence;
  p.join_leave = o.join_leave;
  p.push_join_leave = o.force_push_join_leave;
  p.positioned = o.force_positioning && o.HistoryEnabled();
  p.recoverable = o.force_recovery && o.HistoryEnabled();
  return p;
}

namespace {
// Recovered publications of a delta subscription (spec §4.6): the first full, each later one a
// fossil delta against the publication before it when that is smaller than its payload. In JSON
// every `data` becomes a JSON string (spec §1.8).
void MakeRecoveredDeltas(std::vector<proto::Publication>& pubs, proto::Encoding encoding) {
  bool json = encoding == proto::Encoding::kJson;
  std::string prev;
  for (size_t i = 0; i < pubs.size(); ++i) {
    proto::Publication& pub = pubs[i];
    std::string payload = std::move(pub.data);
    std::string data = i == 0 ? std::string() : codec::FossilDelta(prev, payload);
    pub.delta = i > 0 && data.size() < payload.size();
    if (!pub.delta) data = payload;
    if (json) {
      pub.data.clear();
      codec::AppendJsonString(data, pub.data);
    } else {
      pub.data = std::move(data);
    }
    prev = std::move(payload);
  }
}
}  // namespace

Subscription* Client::FindSub(std::string_view channel) {
  for (auto& s : subs_) {
    if (s->channel == channel) return s.get();
  }
  return nullptr;
}

void Client::ApplyOverride(const auth::Override& o, SubscribeParams& p) const {
  const auto& ns = *p.info.options;
  if (o.presence) p.presence = *o.presence;
  if (o.join_leave) p.join_leave = *o.join_leave;
  if (o.force_push_join_leave) p.push_join_leave = *o.force_push_join_leave;
  if (o.force_positioning) p.positioned = *o.force_positioning && ns.HistoryEnabled();
  if (o.force_recovery) p.recoverable = *o.force_recovery && ns.HistoryEnabled();
}

void Client::HandleSubscribe(uint32_t id, proto::SubscribeRequest& req) {
  const auto& cc = node_->config().client;
  if (req.channel.empty()) {
    Disconnect(disconnects::BadRequest());
    return;
  }
  if (!req.delta.empty() && req.delta != "fossil") {
    Disconnect(disconnects::BadRequest());
    return;
  }
  if (req.channel.size() > node_->rules().max_length()) {
    SendError(id, errors::BadRequest());
    return;
  }
  if (FindSub(req.channel)) {
    SendError(id, errors::AlreadySubscribed());
    return;
  }
  if (cc.channel_limit > 0 && subs_.size() >= static_cast<size_t>(cc.channel_limit)) {
    SendError(id, errors::LimitExceeded());
    return;
  }
  auto info = node_->rules().Resolve(req.channel);
  if (!info.ok()) {
    SendError(id, info.error());
    return;
  }
  if (!node_->rules().ValidName(req.channel, *info)) {
    SendError(id, errors::BadRequest());
    return;
  }
  const auto& o = *info->options;
  SubscribeParams p;
  p.channel = req.channel;
  p.info = *info;
  int64_t now = UnixSeconds();

  // Permission: first match wins (spec §4.2).
  bool allowed = false;
  bool from_token = false;
  auth::SubscribeClaims claims;
  if (info->is_private && req.token.empty()) {
    SendError(id, errors::PermissionDenied());
    return;
  }
  if (!req.token.empty()) {
    auto v = node_->sub_token_verifier().VerifySubscribe(req.token, now);
    if (v.status == auth::TokenStatus::kExpired) {
      SendError(id, errors::TokenExpired());
      return;
    }
    if (v.status == auth::TokenStatus::kInvalid) {
      spdlog::info("invalid subscription token for {}: {}", req.channel, v.message);
      SendError(id, errors::PermissionDenied());
      return;
    }
    if (v.claims.channel != req.channel || v.claims.user != user_ ||
        (!v.claims.client.empty() && v.claims.client != id_)) {
      Disconnect(disconnects::InvalidToken());
      return;
    }
    claims = std::move(v.claims);
    allowed = from_token = true;
  } else if (info->user_limited && node_->rules().UserAllowed(req.channel, user_)) {
    allowed = true;
  } else if (o.allow_subscribe_for_client && (!user_.empty() || o.allow_subscribe_for_anonymous) &&
             !info->user_limited) {
    allowed = true;
  } else if (cc.insecure) {
    allowed = true;
  }
  if (!allowed) {
    SendError(id, errors::PermissionDenied());
    return;
  }

  bool history = o.HistoryEnabled();
  bool can_history = CanHistory(o, req.channel, true) || from_token;
  p.positioned =
      history && (o.force_positioning || (req.positioned && (o.allow_positioning || can_history)));
  p.recoverable =
      history && (o.force_recovery || (req.recoverable && (o.allow_recovery || can_history)));
  p.presence = o.presence;
  p.join_leave = o.join_leave;
  p.push_join_leave =
      o.force_push_join_leave ||
      (req.join_leave && o.join_leave && (CanPresence(o, req.channel, true) || from_token));
  if (from_token) {
    p.chan_info = claims.info;
    p.data = claims.data;
    p.expire_at = claims.expire_at.has_value() ? *claims.expire_at : claims.exp;
    ApplyOverride(claims.override_, p);
    if (p.expire_at > 0 && p.expire_at <= now) {
      SendError(id, errors::Expired());
      return;
    }
  }
  // Delta compression (spec §4.6): only when the namespace allows fossil.
  p.delta = req.delta == "fossil" &&
            std::find(o.allowed_delta_types.begin(), o.allowed_delta_types.end(), "fossil") !=
                o.allowed_delta_types.end();
  p.recover = req.recover && p.recoverable;
  p.recover_requested = req.recover;
  p.offset = req.offset;
  p.epoch = req.epoch;
  p.reject_unrecovered = (req.flag & 2) != 0;
  std::string channel = p.channel;
  bool join_leave = p.join_leave;
  SubscribeInternal(std::move(p),
                    [id, channel, join_leave](Client* c, Result<proto::SubscribeResult> r) {
                      if (!r.ok()) {
                        c->SendError(id, r.error());
                        return;
                      }
                      c->SendReply(id, std::move(*r));
                      c->ReleaseHeld(channel);
                      if (join_leave) {
                        if (Subscription* s = c->FindSub(channel))
                          c->node_->broker().PublishJoin(channel, c->Info(s));
                      }
                      c->ArmExpiry();
                    });
}

void Client::SubscribeInternal(SubscribeParams p, SubscribeDone done) {
  auto sub = std::make_unique<Subscription>();
  sub->client = this;
  sub->channel = p.channel;
  sub->options = p.info.options;
  sub->chan_info = p.chan_info;
  sub->expire_at = p.expire_at;
  sub->server_side = p.server_side;
  sub->positioned = p.positioned || p.recoverable;
  sub->recoverable = p.recoverable;
  sub->push_join_leave = p.push_join_leave;
  sub->presence = p.presence;
  sub->join_leave = p.join_leave;
  sub->delta = p.delta;
  sub->subscribing = true;

  // Register first, then read the stream top: a publication is then either in the history we
  // read or delivered live (held until the reply), and offsets remove the overlap.
  hub_->AddSubscriber(sub.get());
  node_->RegisterSubscriber(sub->channel, hub_->loop()->index(), encoding_, sub->delta);
  bool needs_history = sub->positioned || sub->recoverable;
  const config::ChannelOptions* options = sub->options;
  subs_.push_back(std::move(sub));

  if (!needs_history) {
    FinishSubscribe(p, HistoryData{}, done);
    return;
  }
  HistoryQuery q;
  q.meta_ttl = node_->OptionsFor(*options).history_meta_ttl;
  if (p.recover && options->force_recovery_mode == "cache") {
    q.limit = 1;  // cache mode recovers the latest publication only
    q.reverse = true;
  } else if (p.recover) {
    q.since = StreamPosition{p.offset, ""};  // epochs are compared in FinishSubscribe
    q.limit = -1;
  }
  std::string channel = p.channel;
  node_->broker().History(channel, q,
                          OnLoop([p = std::move(p), done](Client* c, Result<HistoryData> r) {
                            c->FinishSubscribe(p, std::move(r), done);
                          }));
}

void Client::FinishSubscribe(const SubscribeParams& p, Result<HistoryData> got,
                             const SubscribeDone& done) {
  Subscription* s = FindSub(p.channel);
  if (!s || !s->subscribing || state_ == State::kClosed) return;  // gone meanwhile
  if (!got.ok()) {
    UnsubscribeInternal(s, false);
    done(this, errors::Internal());
    return;
  }
  proto::SubscribeResult res;
  res.data = p.data;
  res.was_recovering = p.recover_requested;
  res.delta = s->delta;
  if (s->positioned || s->recoverable) {
    HistoryData& h = got.value();
    res.epoch = h.top.epoch;
    res.offset = h.top.offset;
    res.positioned = true;
    res.recoverable = s->recoverable;
    if (p.recover) {
      res.was_recovering = true;
      const auto& pubs = h.publications;
      size_t limit = static_cast<size_t>(node_->config().client.recovery_max_publication_limit);
      bool same_epoch = p.epoch.empty() || p.epoch == h.top.epoch;
      bool recovered;
      if (s->options->force_recovery_mode == "cache") {
        // Already at the top, or the latest publication is the top: the client gets it alone.
        bool at_top = same_epoch && p.offset == h.top.offset;
        if (at_top) h.publications.clear();
        recovered = at_top || (!pubs.empty() && pubs.front().offset == h.top.offset);
      } else {
        bool continuous = pubs.empty() ? h.top.offset == p.offset
                                       : (pubs.front().offset == p.offset + 1 &&
                                          pubs.back().offset == h.top.offset);
        recovered = same_epoch && continuous && pubs.size() <= limit;
      }
      if (!recovered && p.reject_unrecovered) {
        UnsubscribeInternal(s, false);
        done(this, errors::UnrecoverablePosition());
        return;
      }
      res.recovered = recovered;
      if (recovered) {
        res.publications = std::move(h.publications);
        for (auto& pub : res.publications) {
          pub.time = 0;
          pub.delta = false;
        }
        res.offset = p.offset;
        if (s->delta) {
          // The first recovered publication is full, later ones are deltas against the one
          // before; live deltas may follow at once.
          MakeRecoveredDeltas(res.publications, encoding_);
          s->delta_ready = true;
        }
      }
    }
    s->offset = h.top.offset;
    s->epoch = h.top.epoch;
  }
  if (s->expire_at > 0) {
    res.expires = true;
    int64_t ttl = s->expire_at - UnixSeconds();
    res.ttl = ttl > 0 ? static_cast<uint32_t>(ttl) : 0;
  }
  if (s->presence) node_->presence().Add(s->channel, Info(s));
  done(this, std::move(res));
}

void Client::ReleaseHeld(std::string_view channel) {
  Subscription* s = FindSub(channel);
  if (!s || !s->subscribing) return;
  s->subscribing = false;
  std::vector<Subscription::Held> held;
  held.swap(s->held);
  for (auto& h : held) {
    if (state_ == State::kClosed) return;
    if (DeliverMessage(*s, h.kind, h.message, h.delta, h.offset) == Delivery::kInsufficientState) {
      HandleInsufficientState(channel);
      return;
    }
  }
  CheckQueue();
}

void Client::UnsubscribeInternal(Subscription* sub, bool send_leave) {
  for (size_t i = 0; i < subs_.size(); ++i) {
    if (subs_[i].get() != sub) continue;
    std::unique_ptr<Subscription> owned = std::move(subs_[i]);
    subs_[i] = std::move(subs_.back());
    subs_.pop_back();
    hub_->RemoveSubscriber(sub);
    node_->UnregisterSubscriber(sub->channel, hub_->loop()->index(), encoding_, sub->delta);
    if (sub->presence) node_->presence().Remove(sub->channel, id_, user_);
    if (send_leave && sub->join_leave) node_->broker().PublishLeave(sub->channel, Info(sub));
    return;
  }
}

void Client::HandleUnsubscribe(uint32_t id, proto::UnsubscribeRequest& req) {
  if (req.channel.empty()) {
    Disconnect(disconnects::BadRequest());
    return;
  }
  if (Subscription* s = FindSub(req.channel)) UnsubscribeInternal(s, true);
  SendReply(id, proto::UnsubscribeResult{});
  ArmExpiry();
}

void Client::HandleSubRefresh(uint32_t id, proto::SubRefreshRequest& req) {
  if (req.channel.empty()) {
    Disconnect(disconnects::BadRequest());
    return;
  }
  Subscription* s = FindSub(req.channel);
  if (!s) {
    SendError(id, errors::PermissionDenied());
    return;
  }
  if (req.token.empty()) {
    SendError(id, errors::BadRequest());
    return;
  }
  int64_t now = UnixSeconds();
  auto v = node_->sub_token_verifier().VerifySubscribe(req.token, now);
  if (v.status == auth::TokenStatus::kExpired) {
    SendError(id, errors::TokenExpired());
    return;
  }
  if (v.status == auth::TokenStatus::kInvalid || v.claims.channel != req.channel ||
      v.claims.user != user_ || (!v.claims.client.empty() && v.claims.client != id_)) {
    Disconnect(disconnects::InvalidToken());
    return;
  }
  int64_t exp = v.claims.expire_at.has_value() ? *v.claims.expire_at : v.claims.exp;
  if (exp > 0 && exp <= now) {
    SendError(id, errors::Expired());
    return;
  }
  s->expire_at = exp;
  if (!v.claims.info.empty()) s->chan_info = v.claims.info;
  proto::SubRefreshResult r;
  if (exp > 0) {
    r.expires = true;
    r.ttl = static_cast<uint32_t>(exp - now);
  }
  SendReply(id, std::move(r));
  ArmExpiry();
}

void Client::ServerSubscribe(SubscribeParams p) {
  if (state_ != State::kConnected || FindSub(p.channel)) return;
  p.server_side = true;
  std::string channel = p.channel;
  bool join_leave = p.join_leave;
  SubscribeInternal(std::move(p),
                    [channel, join_leave](Client* c, Result<proto::SubscribeResult> r) {
                      if (!r.ok()) return;
                      proto::Subscribe push;
                      push.recoverable = r->recoverable;
                      push.epoch = r->epoch;
                      push.offset = r->offset;
                      push.positioned = r->positioned;
                      push.data = r->data;
                      c->SendPush(proto::Push{channel, std::move(push)});
                      c->ReleaseHeld(channel);
                      if (join_leave) {
                        if (Subscription* s = c->FindSub(channel))
                          c->node_->broker().PublishJoin(channel, c->Info(s));
                      }
                      c->ArmExpiry();
                    });
}

void Client::ServerUnsubscribe(std::string_view channel) {
  if (state_ != State::kConnected) return;
  Subscription* s = FindSub(channel);
  if (!s) return;
  std::string ch = s->channel;
  UnsubscribeInternal(s, true);
  SendPush(proto::Push{ch, proto::Unsubscribe{unsubscribes::kServer.code,
                                              std::string(unsubscribes::kServer.reason)}});
}

}  // namespace gyre::core
