// Publish, presence, presence_stats and history from clients (spec §4.5, §4.8).
#include "base/json.h"
#include "core/client.h"
#include "core/node.h"

namespace gyre::core {

// Centrifugo's rule for each allow_<action>_for_{client,subscriber,anonymous} family: any
// authenticated client, or a subscriber of the channel, and anonymous users only when the
// _anonymous flag is on; client.insecure allows everything.
bool Client::Permitted(bool for_client, bool for_subscriber, bool for_anonymous,
                       std::string_view channel, bool subscribing) {
  bool anon_ok = !user_.empty() || for_anonymous;
  if (for_client && anon_ok) return true;
  if (for_subscriber && anon_ok && (subscribing || FindSub(channel))) return true;
  return node_->config().client.insecure;
}

bool Client::CanPresence(const config::ChannelOptions& o, std::string_view channel,
                         bool subscribing) {
  return Permitted(o.allow_presence_for_client, o.allow_presence_for_subscriber,
                   o.allow_presence_for_anonymous, channel, subscribing);
}

bool Client::CanHistory(const config::ChannelOptions& o, std::string_view channel,
                        bool subscribing) {
  return Permitted(o.allow_history_for_client, o.allow_history_for_subscriber,
                   o.allow_history_for_anonymous, channel, subscribing);
}

void Client::HandlePublish(uint32_t id, proto::PublishRequest& req) {
  if (req.channel.empty()) {
    Disconnect(disconnects::BadRequest());
    return;
  }
  auto info = node_->rules().Resolve(req.channel);
  if (!info.ok()) {
    SendError(id, info.error());
    return;
  }
  const auto& o = *info->options;
  Subscription* sub = FindSub(req.channel);
  if (!Permitted(o.allow_publish_for_client, o.allow_publish_for_subscriber,
                 o.allow_publish_for_anonymous, req.channel, false)) {
    SendError(id, errors::PermissionDenied());
    return;
  }
  const std::string& fmt = o.publication_data_format;
  if ((fmt.empty() && req.data.empty()) ||
      ((fmt == "json" || fmt == "json_object") && !json::Parse(req.data).valid()) ||
      (fmt == "json_object" && json::Parse(req.data).type != json::Type::kObject)) {
    SendError(id, errors::BadRequest());
    return;
  }
  proto::Publication pub;
  pub.data = std::move(req.data);
  pub.info = Info(sub);
  pub.delta = o.delta_publish;  // a client cannot ask for delta itself
  node_->Publish(req.channel, std::move(pub), node_->OptionsFor(o),
                 OnLoop([id](Client* c, Result<StreamPosition> r) {
                   if (c->state_ != State::kConnected) return;
                   if (!r.ok()) {
                     c->SendError(id, r.error());
                   } else {
                     c->SendReply(id, proto::PublishResult{});
                   }
                 }));
}

bool Client::PresenceAllowed(uint32_t id, const std::string& channel) {
  if (channel.empty()) {
    Disconnect(disconnects::BadRequest());
    return false;
  }
  auto info = node_->rules().Resolve(channel);
  if (!info.ok()) {
    SendError(id, info.error());
    return false;
  }
  if (!info->options->presence) {
    SendError(id, errors::NotAvailable());
    return false;
  }
  if (!CanPresence(*info->options, channel)) {
    SendError(id, errors::PermissionDenied());
    return false;
  }
  return true;
}

void Client::HandlePresence(uint32_t id, proto::PresenceRequest& req) {
  if (!PresenceAllowed(id, req.channel)) return;
  node_->presence().Get(req.channel,
                        OnLoop([id](Client* c, Result<PresenceManager::PresenceMap> r) {
                          if (c->state_ != State::kConnected) return;
                          if (!r.ok()) {
                            c->SendError(id, errors::Internal());
                          } else {
                            c->SendReply(id, proto::PresenceResult{std::move(r.value())});
                          }
                        }));
}

void Client::HandlePresenceStats(uint32_t id, proto::PresenceStatsRequest& req) {
  if (!PresenceAllowed(id, req.channel)) return;
  node_->presence().GetStats(
      req.channel, OnLoop([id](Client* c, Result<PresenceManager::Stats> r) {
        if (c->state_ != State::kConnected) return;
        if (!r.ok()) {
          c->SendError(id, errors::Internal());
        } else {
          c->SendReply(id, proto::PresenceStatsResult{r->num_clients, r->num_users});
        }
      }));
}

void Client::HandleHistory(uint32_t id, proto::HistoryRequest& req) {
  if (req.channel.empty()) {
    Disconnect(disconnects::BadRequest());
    return;
  }
  auto info = node_->rules().Resolve(req.channel);
  if (!info.ok()) {
    SendError(id, info.error());
    return;
  }
  const auto& o = *info->options;
  if (!o.HistoryEnabled()) {
    SendError(id, errors::NotAvailable());
    return;
  }
  if (!CanHistory(o, req.channel)) {
    SendError(id, errors::PermissionDenied());
    return;
  }
  int max = node_->config().client.history_max_publication_limit;
  HistoryQuery q;
  q.limit = req.limit;
  if (q.limit < 0 || (max > 0 && q.limit > max)) q.limit = max;
  q.reverse = req.reverse;
  q.meta_ttl = node_->OptionsFor(o).history_meta_ttl;
  if (req.since) {
    if (req.reverse && req.since->offset == 0) {
      SendError(id, errors::BadRequest());
      return;
    }
    q.since = StreamPosition{req.since->offset, req.since->epoch};
  }
  node_->broker().History(req.channel, q, OnLoop([id](Client* c, Result<HistoryData> r) {
                            if (c->state_ != State::kConnected) return;
                            if (!r.ok()) {
                              c->SendError(id, r.error());
                              return;
                            }
                            proto::HistoryResult res;
                            res.publications = std::move(r->publications);
                            for (auto& p : res.publications) {
                              p.time = 0;
                              p.delta = false;
                            }
                            res.epoch = r->top.epoch;
                            res.offset = r->top.offset;
                            c->SendReply(id, std::move(res));
                          }));
}

}  // namespace gyre::core
