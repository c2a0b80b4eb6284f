#include "core/hub.h"

#include "core/client.h"

namespace gyre::core {

void Hub::AddClient(Client* c) {
  clients_[c->id()] = c;
  users_.emplace(c->user(), c);
}

void Hub::RemoveClient(Client* c) {
  clients_.erase(c->id());
  auto range = users_.equal_range(c->user());
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second == c) {
      users_.erase(it);
      break;
    }
  }
}

Client* Hub::FindClient(std::string_view id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

std::vector<Client*> Hub::UserClients(std::string_view user) const {
  std::vector<Client*> out;
  auto range = users_.equal_range(user);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

std::vector<Client*> Hub::AllClients() const {
  std::vector<Client*> out;
  out.reserve(clients_.size());
  for (const auto& [id, c] : clients_) out.push_back(c);
  return out;
}

bool Hub::AddSubscriber(Subscription* sub) {
  auto [it, inserted] = channels_.try_emplace(sub->channel);
  sub->hub_index = it->second.size();
  it->second.push_back(sub);
  return it->second.size() == 1;
}

bool Hub::RemoveSubscriber(Subscription* sub) {
  auto it = channels_.find(sub->channel);
  if (it == channels_.end()) return false;
  auto& v = it->second;
  size_t i = sub->hub_index;
  if (i >= v.size() || v[i] != sub) return false;
  v[i] = v.back();
  v[i]->hub_index = i;
  v.pop_back();
  if (v.empty()) {
    channels_.erase(it);
    return true;
  }
  return false;
}

void Hub::Deliver(const std::string& channel, PushKind kind, const EncodedPush& push,
                  uint64_t offset, const std::string& epoch) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  // Act on slow clients and lost positions only after the loop: both change the vector.
  std::vector<Client*> slow;
  std::vector<Client*> lost;
  for (Subscription* sub : it->second) {
    switch (sub->client->DeliverPush(*sub, kind, push, offset, epoch)) {
      case Client::Delivery::kOk:
        break;
      case Client::Delivery::kSlow:
        slow.push_back(sub->client);
        break;
      case Client::Delivery::kInsufficientState:
        lost.push_back(sub->client);
        break;
    }
  }
  for (Client* c : slow) c->Disconnect(disconnects::Slow());
  for (Client* c : lost) c->HandleInsufficientState(channel);
}

}  // namespace gyre::core
