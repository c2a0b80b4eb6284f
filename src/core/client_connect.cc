// Connect and refresh (spec §3).
#include "base/log.h"
#include "base/util.h"
#include "core/client.h"
#include "core/node.h"

namespace gyre::core {

void Client::HandleConnect(uint32_t id, proto::ConnectRequest& req) {
  const auto& cc = node_->config().client;
  int64_t now = UnixSeconds();
  auth::ConnectClaims claims;
  bool have_claims = false;
  if (!req.token.empty()) {
    auto v = node_->token_verifier().VerifyConnect(req.token, now);
    if (v.status == auth::TokenStatus::kExpired && !cc.insecure) {
      state_ = State::kFailed;
      SendError(id, errors::TokenExpired());
      return;
    }
    if (v.status == auth::TokenStatus::kInvalid) {
      spdlog::info("invalid connection token: {}", v.message);
      Disconnect(disconnects::InvalidToken());
      return;
    }
    if (v.claims.user.empty() && cc.disallow_anonymous_connection_tokens) {
      Disconnect(disconnects::PermissionDenied());
      return;
    }
    claims = std::move(v.claims);
    have_claims = true;
  } else if (!cc.allow_anonymous_connect_without_token && !cc.insecure) {
    spdlog::info("connect without token refused (anonymous connections are not allowed)");
    Disconnect(disconnects::BadRequest());
    return;
  }

  user_ = claims.user;
  conn_info_ = claims.info;
  if (have_claims && !cc.insecure) {
    if (claims.expire_at.has_value())
      expire_at_ = *claims.expire_at;
    else
      expire_at_ = claims.exp;
  }
  if (!node_->AddConnection(user_)) {
    Disconnect(disconnects::ConnectionLimit());
    return;
  }
  counted_ = true;

  // Server-side subscriptions from the token: `subs` wins over `channels`.
  std::vector<std::pair<std::string, const auth::SubOptions*>> server_subs;
  if (!claims.subs.empty()) {
    for (const auto& [ch, opts] : claims.subs) server_subs.emplace_back(ch, &opts);
  } else {
    for (const auto& ch : claims.channels) server_subs.emplace_back(ch, nullptr);
  }
  // client.subscribe_to_user_personal_channel: `#<user>` (or `<ns>:#<user>`) for every
  // authenticated connection.
  std::string personal;
  if (cc.subscribe_to_user_personal_channel.enabled && !user_.empty()) {
    const auto& ch = node_->config().channel;
    const auto& ns = cc.subscribe_to_user_personal_channel.personal_channel_namespace;
    personal = (ns.empty() ? "" : ns + ch.namespace_boundary) + ch.user_boundary + user_;
    bool listed = false;
    for (auto& [c, o] : server_subs) listed = listed || c == personal;
    if (!listed) server_subs.emplace_back(personal, nullptr);
  }
  if (cc.channel_limit > 0 && server_subs.size() > static_cast<size_t>(cc.channel_limit)) {
    Disconnect(disconnects::ChannelLimit());
    return;
  }
  if (expire_at_ > 0 && expire_at_ <= now) {
    FailConnect(id, errors::Expired());
    return;
  }

  // Resolve every server-side subscription before starting any: an unknown namespace fails the
  // connect at once.
  std::vector<SubscribeParams> params;
  for (auto& [ch, opts] : server_subs) {
    auto info = node_->rules().Resolve(ch);
    if (!info.ok()) {
      FailConnect(id, info.error());
      return;
    }
    SubscribeParams p = ServerSideParams(ch, *info);
    if (opts) {
      p.chan_info = opts->info;
      p.data = opts->data;
      ApplyOverride(opts->override_, p);
    }
    if (auto it = req.subs.find(ch); it != req.subs.end() && it->second.recover) {
      p.recover = p.recoverable;
      p.recover_requested = true;
      p.offset = it->second.offset;
      p.epoch = it->second.epoch;
    }
    params.push_back(std::move(p));
  }

  hub_->AddClient(this);
  in_hub_ = true;
  auto pending = std::make_shared<PendingConnect>();
  pending->id = id;
  pending->left = params.size();
  connect_pending_ = true;
  if (params.empty()) {
    CompleteConnect(*pending);
    return;
  }
  for (auto& p : params) {
    std::string ch = p.channel;
    SubscribeInternal(std::move(p), [pending, ch](Client* c, Result<proto::SubscribeResult> r) {
      if (pending->failed) return;
      if (!r.ok()) {
        pending->failed = true;
        c->FailConnect(pending->id, r.error());
        return;
      }
      pending->result.subs.emplace(ch, std::move(*r));
      if (--pending->left == 0) c->CompleteConnect(*pending);
    });
  }
}

void Client::FailConnect(uint32_t id, const Error& error) {
  // Undo what the accepted part of the connect set up; the stale timer, still armed, closes
  // the connection later (3502), as Centrifugo does.
  while (!subs_.empty()) UnsubscribeInternal(subs_.back().get(), false);
  if (in_hub_) hub_->RemoveClient(this);
  in_hub_ = false;
  if (counted_) node_->RemoveConnection(user_);
  counted_ = false;
  connect_pending_ = false;
  state_ = State::kFailed;
  SendError(id, error);
}

void Client::CompleteConnect(PendingConnect& pending) {
  const auto& cc = node_->config().client;
  pong_timer_.Cancel();  // the stale timer
  connect_pending_ = false;
  state_ = State::kConnected;
  proto::ConnectResult& result = pending.result;
  result.client = id_;
  result.version = node_->version();
  int64_t now = UnixSeconds();
  if (expire_at_ > 0) {
    result.expires = true;
    result.ttl = expire_at_ > now ? static_cast<uint32_t>(expire_at_ - now) : 0;
  }
  result.ping = static_cast<uint32_t>(cc.ping_interval.count() / 1000);
  result.pong = cc.pong_timeout.count() > 0;
  if (cc.connect_include_server_time) result.time = UnixMillis();
  std::vector<std::string> channels;
  for (const auto& [ch, r] : result.subs) channels.push_back(ch);
  SendReply(pending.id, std::move(result));
  for (const auto& ch : channels) {
    ReleaseHeld(ch);
    if (Subscription* s = FindSub(ch); s && s->join_leave) {
      node_->broker().PublishJoin(ch, Info(s));
    }
  }
  if (state_ != State::kConnected) return;  // the reply overflowed the queue
  SchedulePing(true);
  ArmExpiry();
}

void Client::HandleRefresh(uint32_t id, proto::RefreshRequest& req) {
  if (req.token.empty()) {
    Disconnect(disconnects::BadRequest());
    return;
  }
  int64_t now = UnixSeconds();
  auto v = node_->token_verifier().VerifyConnect(req.token, now);
  if (v.status == auth::TokenStatus::kExpired) {
    Disconnect(disconnects::Expired());
    return;
  }
  if (v.status == auth::TokenStatus::kInvalid || v.claims.user != user_) {
    Disconnect(disconnects::InvalidToken());
    return;
  }
  int64_t exp = v.claims.expire_at.has_value() ? *v.claims.expire_at : v.claims.exp;
  if (exp > 0 && exp <= now) {
    SendError(id, errors::Expired());
    return;
  }
  expire_at_ = exp;
  if (!v.claims.info.empty()) conn_info_ = v.claims.info;
  proto::RefreshResult r;
  if (exp > 0) {
    r.expires = true;
    r.ttl = static_cast<uint32_t>(exp - now);
  }
  SendReply(id, std::move(r));
  ArmExpiry();
}

void Client::ServerRefresh(bool expired, int64_t expire_at, const std::string* info) {
  if (state_ != State::kConnected) return;
  if (expired) {
    Disconnect(disconnects::Expired());
    return;
  }
  expire_at_ = expire_at;
  if (info) conn_info_ = *info;
  ArmExpiry();
}

}  // namespace gyre::core
