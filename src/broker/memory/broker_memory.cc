#include "broker/memory/broker_memory.h"

#include <optional>
#include <set>

#include "base/util.h"

namespace gyre::broker {

MemoryBroker::Shard& MemoryBroker::ShardFor(std::string_view channel) {
  return shards_[std::hash<std::string_view>()(channel) % kShards];
}

void MemoryBroker::MaybeSweepLocked(Shard& s, int64_t now_ms) {
  if (++s.ops < kSweepEvery) return;
  s.ops = 0;
  for (auto it = s.streams.begin(); it != s.streams.end();) {
    const Stream& st = it->second;
    bool meta_gone = st.meta_expire_ms > 0 && now_ms >= st.meta_expire_ms;
    it = meta_gone ? s.streams.erase(it) : std::next(it);
  }
  for (auto it = s.results.begin(); it != s.results.end();) {
    it = now_ms >= it->second.expire_ms ? s.results.erase(it) : std::next(it);
  }
}

MemoryBroker::Stream& MemoryBroker::StreamLocked(Shard& s, std::string_view channel, int64_t now_ms,
                                                 int64_t meta_ttl_ms) {
  MaybeSweepLocked(s, now_ms);
  auto [it, inserted] = s.streams.try_emplace(std::string(channel));
  Stream& st = it->second;
  if (!inserted && st.meta_expire_ms > 0 && now_ms >= st.meta_expire_ms) {
    st = Stream{};  // meta expired: a new epoch starts
    inserted = true;
  }
  if (inserted || st.epoch.empty()) st.epoch = RandomLetters(8);
  if (st.pubs_expire_ms > 0 && now_ms >= st.pubs_expire_ms) {
    st.pubs.clear();
    st.pubs_expire_ms = 0;
  }
  if (meta_ttl_ms > 0) st.meta_expire_ms = now_ms + meta_ttl_ms;
  return st;
}

void MemoryBroker::Publish(std::string_view channel, proto::Publication pub,
                           const core::PublishOptions& options, PublishCallback done) {
  Shard& s = ShardFor(channel);
  core::StreamPosition pos;
  std::optional<core::StreamPosition> cached;
  {
    std::lock_guard lock(s.mu);
    int64_t now = UnixMillis();
    std::string key;
    if (!options.idempotency_key.empty()) {
      MaybeSweepLocked(s, now);
      key.assign(channel);
      key.push_back('\0');
      key.append(options.idempotency_key);
      auto it = s.results.find(key);
      if (it != s.results.end()) {
        if (it->second.expire_ms > now) {
          cached = it->second.position;
        } else {
          s.results.erase(it);
        }
      }
    }
    if (!cached && options.HistoryOn()) {
      Stream& st = StreamLocked(s, channel, now, options.history_meta_ttl.count());
      pub.offset = ++st.top;
      // The publication that opens a stream carries its epoch in history, as in Centrifugo.
      if (pub.offset == 1) pub.epoch = st.epoch;
      st.pubs.push_back(pub);
      while (st.pubs.size() > static_cast<size_t>(options.history_size)) st.pubs.pop_front();
      st.pubs_expire_ms = now + options.history_ttl.count();
      pos = core::StreamPosition{st.top, st.epoch};
    }
    if (!cached) {
      if (!key.empty()) s.results[key] = Idempotent{pos, now + kIdempotencyMs};
      if (handler_) handler_->HandlePublication(channel, pub, pos);
    }
  }
  // Callbacks run without the lock: they may publish again.
  done(cached ? *cached : pos);
}

void MemoryBroker::PublishJoin(std::string_view channel, const proto::ClientInfo& info) {
  if (handler_) handler_->HandleJoin(channel, info);
}

void MemoryBroker::PublishLeave(std::string_view channel, const proto::ClientInfo& info) {
  if (handler_) handler_->HandleLeave(channel, info);
}

void MemoryBroker::History(std::string_view channel, const core::HistoryQuery& q,
                           HistoryCallback done) {
  Shard& s = ShardFor(channel);
  core::HistoryData out;
  bool wrong_epoch = false;
  {
    std::lock_guard lock(s.mu);
    Stream& st = StreamLocked(s, channel, UnixMillis(), q.meta_ttl.count());
    out.top = core::StreamPosition{st.top, st.epoch};
    wrong_epoch = q.since && !q.since->epoch.empty() && q.since->epoch != st.epoch;
    if (!wrong_epoch && q.limit != 0) {
      size_t limit = q.limit < 0 ? SIZE_MAX : static_cast<size_t>(q.limit);
      if (!q.reverse) {
        for (const auto& p : st.pubs) {
          if (q.since && p.offset <= q.since->offset) continue;
          if (out.publications.size() >= limit) break;
          out.publications.push_back(p);
        }
      } else {
        for (auto it = st.pubs.rbegin(); it != st.pubs.rend(); ++it) {
          if (q.since && it->offset >= q.since->offset) continue;
          if (out.publications.size() >= limit) break;
          out.publications.push_back(*it);
        }
      }
    }
  }
  if (wrong_epoch) {
    done(errors::UnrecoverablePosition());
    return;
  }
  done(std::move(out));
}

void MemoryBroker::RemoveHistory(std::string_view channel, DoneCallback done) {
  Shard& s = ShardFor(channel);
  {
    std::lock_guard lock(s.mu);
    auto it = s.streams.find(std::string(channel));
    if (it != s.streams.end()) it->second.pubs.clear();
  }
  done(true);
}

MemoryPresence::Shard& MemoryPresence::ShardFor(std::string_view channel) {
  return shards_[std::hash<std::string_view>()(channel) % kShards];
}

void MemoryPresence::Add(std::string_view channel, const proto::ClientInfo& info) {
  Shard& s = ShardFor(channel);
  std::lock_guard lock(s.mu);
  s.channels[std::string(channel)][info.client] = info;
}

void MemoryPresence::Remove(std::string_view channel, std::string_view client_id,
                            std::string_view) {
  Shard& s = ShardFor(channel);
  std::lock_guard lock(s.mu);
  auto it = s.channels.find(std::string(channel));
  if (it == s.channels.end()) return;
  it->second.erase(std::string(client_id));
  if (it->second.empty()) s.channels.erase(it);
}

void MemoryPresence::Get(std::string_view channel, std::function<void(Result<PresenceMap>)> done) {
  PresenceMap copy;
  {
    Shard& s = ShardFor(channel);
    std::lock_guard lock(s.mu);
    auto it = s.channels.find(std::string(channel));
    if (it != s.channels.end()) copy = it->second;
  }
  done(std::move(copy));
}

void MemoryPresence::GetStats(std::string_view channel, std::function<void(Result<Stats>)> done) {
  Stats st;
  {
    Shard& s = ShardFor(channel);
    std::lock_guard lock(s.mu);
    auto it = s.channels.find(std::string(channel));
    if (it != s.channels.end()) {
      std::set<std::string_view> users;
      for (const auto& [id, info] : it->second) users.insert(info.user);
      st.num_clients = static_cast<uint32_t>(it->second.size());
      st.num_users = static_cast<uint32_t>(users.size());
    }
  }
  done(st);
}

}  // namespace gyre::broker
