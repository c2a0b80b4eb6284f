#include "api/server_api.h"

#include "base/log.h"
#include "base/util.h"
#include "codec/codec.h"
#include "core/client.h"

namespace gyre::api {
namespace {

// Reads the fields of a params object into named slots.
struct Params {
  explicit Params(json::Value v) : obj(v) {}
  json::Value obj;
  json::Value Get(std::string_view name) const {
    json::ObjectReader r(obj);
    std::string_view k;
    json::Value v;
    while (r.Next(k, v)) {
      if (k == name) return v;
    }
    return {};
  }
  bool has(std::string_view name) const {
    json::Value v = Get(name);
    return v.valid() && !v.is_null();
  }
  // Each getter returns false on a wrong type; absent/null leaves the default.
  bool Str(std::string_view name, std::string& out) const {
    json::Value v = Get(name);
    if (!v.valid() || v.is_null()) return true;
    return json::GetString(v, out);
  }
  bool Bool(std::string_view name, bool& out) const {
    json::Value v = Get(name);
    if (!v.valid() || v.is_null()) return true;
    return json::GetBool(v, out);
  }
  bool Int(std::string_view name, int64_t& out) const {
    json::Value v = Get(name);
    if (!v.valid() || v.is_null()) return true;
    return json::GetInt64(v, out);
  }
  bool Uint(std::string_view name, uint64_t& out) const {
    json::Value v = Get(name);
    if (!v.valid() || v.is_null()) return true;
    return json::GetUint64(v, out);
  }
  // Raw JSON bytes (data, info) or decoded base64 (b64data, b64info); b64 wins.
  bool Bytes(std::string_view raw_name, std::string_view b64_name, std::string& out) const {
    std::string b64;
    if (!Str(b64_name, b64)) return false;
    if (!b64.empty()) {
      auto d = Base64Decode(b64);
      if (!d) return false;
      out = std::move(*d);
      return true;
    }
    json::Value v = Get(raw_name);
    if (v.valid() && !v.is_null()) out.assign(v.raw);
    return true;
  }
};

Result<bool> Bad() {
  return errors::BadRequest();
}

// Runs an engine call whose answer the response needs now. The memory engine answers inline;
// an engine that answers later gets 100 here rather than a wait (the answer, when it comes,
// lands in a slot that outlives this frame).
template <class T, class Call>
Result<T> AnswerNow(Call&& call) {
  auto slot = std::make_shared<std::optional<Result<T>>>();
  call([slot](Result<T> r) { *slot = std::move(r); });
  if (!*slot) return errors::Internal();
  return std::move(**slot);
}

void AppendError(const Error& e, std::string& out) {
  json::ObjectWriter w(out);
  w.Uint("code", e.code);
  w.String("message", e.message);
}

int TransportStatus(uint32_t code) {
  switch (code) {
    case 100:
      return 500;
    case 102:
      return 404;
    case 104:
      return 404;
    case 107:
      return 400;
    case 108:
      return 400;
    case 112:
      return 416;
    case 113:
      return 409;
    default:
      return 500;
  }
}

}  // namespace

bool ServerApi::Authorized(const net::HttpRequest& req) const {
  const auto& cfg = node_.config().http_api;
  if (cfg.insecure) return true;
  if (cfg.key.empty()) return false;
  if (req.HasHeader("X-API-Key")) return req.Header("X-API-Key") == cfg.key;
  std::string_view auth = req.Header("Authorization");
  if (!auth.empty()) {
    size_t sp = auth.find(' ');
    if (sp != std::string_view::npos && EqualsIgnoreCase(auth.substr(0, sp), "apikey")) {
      return auth.substr(sp + 1) == cfg.key;
    }
    return false;
  }
  std::string q = req.QueryParam("api_key");
  return !q.empty() && q == cfg.key;
}

void ServerApi::HandleHttp(net::Connection& conn, net::HttpRequest& req) {
  bool keep = req.KeepAlive();
  auto respond = [&](int status, std::string_view type, std::string body) {
    conn.SendHttpResponse(net::BuildHttpResponse(status, type, body, keep), keep);
  };
  if (req.method != "POST") {
    respond(405, "", "");
    return;
  }
  if (!Authorized(req)) {
    respond(401, "", "");
    return;
  }
  const std::string& prefix = node_.config().http_api.handler_prefix;
  std::string_view path = req.path();
  if (path == prefix || path == prefix + "/") {
    HandleLegacy(conn, req);
    return;
  }
  std::string_view method = path.substr(prefix.size() + 1);
  json::Value params = json::Parse(req.body);
  if (params.type != json::Type::kObject) {
    respond(400, "text/plain; charset=utf-8", "Bad Request\n");
    return;
  }
  std::string result;
  Result<bool> r = Call(method, params, result);
  if (!r.ok() && r.error().code == 104 && r.error().message == "not found") {
    respond(404, "text/plain; charset=utf-8", "404 page not found\n");
    return;
  }
  bool transport_mode = node_.config().http_api.error_mode == "transport" ||
                        EqualsIgnoreCase(req.Header("X-Centrifugo-Error-Mode"), "transport");
  std::string body;
  if (!r.ok()) {
    if (transport_mode) {
      AppendError(r.error(), body);
      respond(TransportStatus(r.error().code), "application/json", std::move(body));
      return;
    }
    body = "{\"error\":";
    AppendError(r.error(), body);
    body.push_back('}');
  } else if (method == "batch") {
    body = std::move(result);
  } else {
    body = "{\"result\":" + result + "}";
  }
  respond(200, "application/json", std::move(body));
}

void ServerApi::HandleLegacy(net::Connection& conn, net::HttpRequest& req) {
  bool keep = req.KeepAlive();
  std::string_view body = req.body;
  std::string out;
  size_t n = 0;
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    json::Value cmd = json::Parse(line);
    if (cmd.type != json::Type::kObject) {
      conn.SendHttpResponse(
          net::BuildHttpResponse(400, "text/plain; charset=utf-8", "Bad Request\n", keep), keep);
      return;
    }
    Params p(cmd);
    json::Value id = p.Get("id");
    json::Value method_v = p.Get("method");
    std::string method;
    static constexpr std::string_view kByNumber[] = {
        "publish", "broadcast",      "unsubscribe", "disconnect", "presence", "presence_stats",
        "history", "history_remove", "channels",    "info",       "rpc",      "subscribe",
        "refresh"};
    uint64_t num;
    if (json::GetString(method_v, method)) {
      method = ToLower(method);
    } else if (json::GetUint64(method_v, num) && num < std::size(kByNumber)) {
      method = kByNumber[num];
    }
    bool known = false;
    for (auto m : kByNumber) known = known || m == method;
    if (!known) {
      conn.SendHttpResponse(
          net::BuildHttpResponse(400, "text/plain; charset=utf-8", "Bad Request\n", keep), keep);
      return;
    }
    json::Value params = p.Get("params");
    if (!params.valid() || params.is_null()) params = json::Parse("{}");
    std::string result;
    Result<bool> r = params.type == json::Type::kObject ? Call(method, params, result)
                                                        : Result<bool>(errors::BadRequest());
    if (n++ > 0) out.push_back('\n');
    json::ObjectWriter w(out);
    if (id.valid() && !id.is_null()) w.Key("id").append(id.raw);
    if (!r.ok()) {
      AppendError(r.error(), w.Key("error"));
    } else {
      w.Key("result").append(result);
    }
  }
  if (n == 0) {
    conn.SendHttpResponse(
        net::BuildHttpResponse(400, "text/plain; charset=utf-8", "Bad Request\n", keep), keep);
    return;
  }
  conn.SendHttpResponse(net::BuildHttpResponse(200, "application/json", out, keep), keep);
}

Result<bool> ServerApi::Call(std::string_view method, json::Value params, std::string& out) {
  if (method == "publish") return Publish(params, out);
  if (method == "broadcast") return Broadcast(params, out);
  if (method == "subscribe") return Subscribe(params, out);
  if (method == "unsubscribe") return Unsubscribe(params, out);
  if (method == "disconnect") return DisconnectUser(params, out);
  if (method == "refresh") return Refresh(params, out);
  if (method == "presence") return Presence(params, out);
  if (method == "presence_stats") return PresenceStats(params, out);
  if (method == "history") return History(params, out);
  if (method == "history_remove") return HistoryRemove(params, out);
  if (method == "channels") return Channels(params, out);
  if (method == "info") return Info(params, out);
  if (method == "rpc") return Rpc(params, out);
  if (method == "batch") return Batch(params, out);
  return errors::NotFound();
}

namespace {
struct PublishInput {
  std::string data;
  bool skip_history = false;
  bool delta = false;
  std::string idempotency_key;
  std::map<std::string, std::string> tags;
};

bool ReadPublishInput(const Params& p, PublishInput& in) {
  if (!p.Bytes("data", "b64data", in.data)) return false;
  if (!p.Bool("skip_history", in.skip_history)) return false;
  if (!p.Bool("delta", in.delta)) return false;
  if (!p.Str("idempotency_key", in.idempotency_key)) return false;
  json::Value tags = p.Get("tags");
  if (tags.valid() && !tags.is_null()) {
    json::ObjectReader r(tags);
    std::string_view k;
    json::Value v;
    while (r.Next(k, v)) {
      std::string s;
      if (!json::GetString(v, s)) return false;
      in.tags.emplace(std::string(k), std::move(s));
    }
    if (!r.ok()) return false;
  }
  return true;
}
}  // namespace

namespace {
Result<core::StreamPosition> PublishOne(core::Node& node, const std::string& channel,
                                        const PublishInput& in) {
  if (channel.empty()) return errors::BadRequest();
  auto info = node.rules().Resolve(channel);
  if (!info.ok()) return info.error();
  const auto& fmt = info->options->publication_data_format;
  if (fmt.empty() && in.data.empty()) return errors::BadRequest();
  proto::Publication pub;
  pub.data = in.data;
  pub.tags = in.tags;
  pub.delta = in.delta || info->options->delta_publish;  // spec §4.6
  core::PublishOptions opts = node.OptionsFor(*info->options);
  if (in.skip_history) opts.history_size = 0;
  opts.idempotency_key = in.idempotency_key;
  return AnswerNow<core::StreamPosition>(
      [&](auto done) { node.Publish(channel, std::move(pub), opts, std::move(done)); });
}

void AppendPosition(const core::StreamPosition& pos, std::string& out) {
  json::ObjectWriter w(out);
  if (pos.offset > 0) w.Uint("offset", pos.offset);
  if (!pos.epoch.empty()) w.String("epoch", pos.epoch);
}
}  // namespace

Result<bool> ServerApi::Publish(json::Value params, std::string& out) {
  Params p(params);
  std::string channel;
  PublishInput in;
  if (!p.Str("channel", channel) || !ReadPublishInput(p, in)) return Bad();
  auto r = PublishOne(node_, channel, in);
  if (!r.ok()) return r.error();
  AppendPosition(*r, out);
  return true;
}

Result<bool> ServerApi::Broadcast(json::Value params, std::string& out) {
  Params p(params);
  PublishInput in;
  if (!ReadPublishInput(p, in)) return Bad();
  std::vector<std::string> channels;
  json::ArrayReader r(p.Get("channels"));
  json::Value v;
  while (r.Next(v)) {
    std::string ch;
    if (!json::GetString(v, ch)) return Bad();
    channels.push_back(std::move(ch));
  }
  if (!r.ok() && p.has("channels")) return Bad();
  if (channels.empty()) return Bad();
  out.append("{\"responses\":[");
  for (size_t i = 0; i < channels.size(); ++i) {
    if (i) out.push_back(',');
    auto res = PublishOne(node_, channels[i], in);
    json::ObjectWriter w(out);
    if (res.ok()) {
      AppendPosition(*res, w.Key("result"));
    } else {
      AppendError(res.error(), w.Key("error"));
    }
  }
  out.append("]}");
  return true;
}

Result<bool> ServerApi::Subscribe(json::Value params, std::string& out) {
  Params p(params);
  std::string user, channel, client, info, data;
  int64_t expire_at = 0;
  if (!p.Str("user", user) || !p.Str("channel", channel) || !p.Str("client", client) ||
      !p.Bytes("info", "b64info", info) || !p.Bytes("data", "b64data", data) ||
      !p.Int("expire_at", expire_at)) {
    return Bad();
  }
  if (channel.empty()) return Bad();
  auto ch = node_.rules().Resolve(channel);
  if (!ch.ok()) return ch.error();
  core::SubscribeParams sp = core::ServerSideParams(channel, *ch);
  sp.chan_info = info;
  sp.data = data;
  sp.expire_at = expire_at;
  json::Value since = p.Get("recover_since");
  if (since.type == json::Type::kObject) {
    Params s(since);
    uint64_t off = 0;
    std::string epoch;
    if (!s.Uint("offset", off) || !s.Str("epoch", epoch)) return Bad();
    sp.recover = sp.recoverable;
    sp.offset = off;
    sp.epoch = epoch;
  }
  // Resolve() results point into the config, which outlives every loop.
  node_.ForEachHub([sp, user, client](core::Hub& hub) {
    for (core::Client* c : hub.UserClients(user)) {
      if (!client.empty() && c->id() != client) continue;
      c->ServerSubscribe(sp);
    }
  });
  out.append("{}");
  return true;
}

Result<bool> ServerApi::Unsubscribe(json::Value params, std::string& out) {
  Params p(params);
  std::string user, channel, client;
  if (!p.Str("user", user) || !p.Str("channel", channel) || !p.Str("client", client)) return Bad();
  node_.ForEachHub([user, channel, client](core::Hub& hub) {
    for (core::Client* c : hub.UserClients(user)) {
      if (!client.empty() && c->id() != client) continue;
      c->ServerUnsubscribe(channel);
    }
  });
  out.append("{}");
  return true;
}

Result<bool> ServerApi::DisconnectUser(json::Value params, std::string& out) {
  Params p(params);
  std::string user, client;
  if (!p.Str("user", user) || !p.Str("client", client)) return Bad();
  gyre::Disconnect d = disconnects::ForceNoReconnect();
  json::Value dv = p.Get("disconnect");
  if (dv.type == json::Type::kObject) {
    Params dp(dv);
    uint64_t code = 0;
    std::string reason;
    if (!dp.Uint("code", code) || !dp.Str("reason", reason)) return Bad();
    if (code > 0) d = gyre::Disconnect{static_cast<uint32_t>(code), reason};
  }
  std::vector<std::string> whitelist;
  json::ArrayReader wr(p.Get("whitelist"));
  json::Value v;
  while (wr.Next(v)) {
    std::string id;
    if (json::GetString(v, id)) whitelist.push_back(id);
  }
  node_.ForEachHub([user, client, d, whitelist](core::Hub& hub) {
    for (core::Client* c : hub.UserClients(user)) {
      if (!client.empty() && c->id() != client) continue;
      bool skip = false;
      for (const auto& w : whitelist) skip = skip || w == c->id();
      if (!skip) c->Disconnect(d);
    }
  });
  out.append("{}");
  return true;
}

Result<bool> ServerApi::Refresh(json::Value params, std::string& out) {
  Params p(params);
  std::string user, client, info;
  bool expired = false;
  int64_t expire_at = 0;
  if (!p.Str("user", user) || !p.Str("client", client) || !p.Bool("expired", expired) ||
      !p.Int("expire_at", expire_at) || !p.Bytes("info", "b64info", info)) {
    return Bad();
  }
  bool has_info = p.has("info") || p.has("b64info");
  node_.ForEachHub([=](core::Hub& hub) {
    for (core::Client* c : hub.UserClients(user)) {
      if (!client.empty() && c->id() != client) continue;
      c->ServerRefresh(expired, expire_at, has_info ? &info : nullptr);
    }
  });
  out.append("{}");
  return true;
}

namespace {
// Channel of a presence / presence_stats request, checked as Centrifugo does.
Result<std::string> PresenceChannel(core::Node& node, json::Value params) {
  Params p(params);
  std::string channel;
  if (!p.Str("channel", channel) || channel.empty()) return errors::BadRequest();
  auto ch = node.rules().Resolve(channel);
  if (!ch.ok()) return ch.error();
  if (!ch->options->presence) return errors::NotAvailable();
  return channel;
}
}  // namespace

Result<bool> ServerApi::Presence(json::Value params, std::string& out) {
  auto channel = PresenceChannel(node_, params);
  if (!channel.ok()) return channel.error();
  auto got = AnswerNow<core::PresenceManager::PresenceMap>(
      [&](auto done) { node_.presence().Get(*channel, std::move(done)); });
  if (!got.ok()) return got.error();
  out.append("{\"presence\":{");
  bool first = true;
  for (const auto& [id, info] : *got) {
    if (!first) out.push_back(',');
    first = false;
    json::AppendString(out, id);
    out.push_back(':');
    codec::AppendClientInfoJson(info, out);
  }
  out.append("}}");
  return true;
}

Result<bool> ServerApi::PresenceStats(json::Value params, std::string& out) {
  auto channel = PresenceChannel(node_, params);
  if (!channel.ok()) return channel.error();
  auto got = AnswerNow<core::PresenceManager::Stats>(
      [&](auto done) { node_.presence().GetStats(*channel, std::move(done)); });
  if (!got.ok()) return got.error();
  json::ObjectWriter w(out);
  w.Uint("num_clients", got->num_clients);
  w.Uint("num_users", got->num_users);
  return true;
}

Result<bool> ServerApi::History(json::Value params, std::string& out) {
  Params p(params);
  std::string channel;
  int64_t limit = 0;
  bool reverse = false;
  if (!p.Str("channel", channel) || !p.Int("limit", limit) || !p.Bool("reverse", reverse)) {
    return Bad();
  }
  if (channel.empty()) return Bad();
  auto ch = node_.rules().Resolve(channel);
  if (!ch.ok()) return ch.error();
  if (!ch->options->HistoryEnabled()) return errors::NotAvailable();
  core::HistoryQuery q;
  q.limit = limit < 0 ? -1 : static_cast<int>(limit);
  q.reverse = reverse;
  q.meta_ttl = node_.OptionsFor(*ch->options).history_meta_ttl;
  json::Value since = p.Get("since");
  if (since.type == json::Type::kObject) {
    Params s(since);
    core::StreamPosition sp;
    if (!s.Uint("offset", sp.offset) || !s.Str("epoch", sp.epoch)) return Bad();
    q.since = sp;
  }
  auto got = AnswerNow<core::HistoryData>(
      [&](auto done) { node_.broker().History(channel, q, std::move(done)); });
  if (!got.ok()) return got.error();
  out.append("{\"publications\":[");
  bool first = true;
  for (auto& pub : got->publications) {
    if (!first) out.push_back(',');
    first = false;
    pub.time = 0;
    pub.epoch.clear();  // the server API's Publication has no epoch
    pub.delta = false;  // the publish-time delta request is not part of history
    codec::AppendPublicationJson(pub, out);
  }
  out.append("],\"epoch\":");
  json::AppendString(out, got->top.epoch);
  out.append(",\"offset\":");
  json::AppendUint(out, got->top.offset);
  out.push_back('}');
  return true;
}

Result<bool> ServerApi::HistoryRemove(json::Value params, std::string& out) {
  Params p(params);
  std::string channel;
  if (!p.Str("channel", channel) || channel.empty()) return Bad();
  auto ch = node_.rules().Resolve(channel);
  if (!ch.ok()) return ch.error();
  if (!ch->options->HistoryEnabled()) return errors::NotAvailable();
  node_.broker().RemoveHistory(channel, [](Result<bool>) {});
  out.append("{}");
  return true;
}

Result<bool> ServerApi::Channels(json::Value params, std::string& out) {
  Params p(params);
  std::string pattern;
  if (!p.Str("pattern", pattern)) return Bad();
  out.append("{\"channels\":{");
  bool first = true;
  for (const auto& [name, n] : node_.Channels(pattern)) {
    if (!first) out.push_back(',');
    first = false;
    json::AppendString(out, name);
    out.append(":{\"num_clients\":");
    json::AppendUint(out, n);
    out.push_back('}');
  }
  out.append("}}");
  return true;
}

Result<bool> ServerApi::Info(json::Value, std::string& out) {
  core::NodeStats s = node_.Stats();
  out.append("{\"nodes\":[");
  json::ObjectWriter w(out);
  w.String("uid", node_.id());
  w.String("name", node_.name());
  w.String("version", node_.version());
  w.Uint("num_clients", s.num_clients);
  w.Uint("num_users", s.num_users);
  w.Uint("num_channels", s.num_channels);
  w.Uint("uptime", static_cast<uint64_t>(UnixSeconds() - node_.started_at()));
  w.Key("metrics").append("{\"interval\":60,\"items\":{}}");
  w.Uint("num_subs", s.num_subs);
  w.Close();
  out.append("]}");
  return true;
}

Result<bool> ServerApi::Rpc(json::Value params, std::string&) {
  Params p(params);
  std::string method;
  if (!p.Str("method", method)) return Bad();
  if (method.empty()) return Bad();
  return errors::NotFound();
}

Result<bool> ServerApi::Batch(json::Value params, std::string& out) {
  Params p(params);
  json::Value cmds = p.Get("commands");
  json::ArrayReader probe(cmds);
  json::Value first_cmd;
  if (!probe.Next(first_cmd)) {
    out.append("{}");  // no commands: replies omitted, as Centrifugo does
    return true;
  }
  out.append("{\"replies\":[");
  json::ArrayReader r(cmds);
  json::Value cmd;
  bool first = true;
  while (r.Next(cmd)) {
    if (!first) out.push_back(',');
    first = false;
    json::ObjectReader cr(cmd);
    std::string_view method;
    json::Value mparams;
    bool found = false;
    while (cr.Next(method, mparams)) {
      if (!mparams.is_null() && mparams.type == json::Type::kObject) {
        found = true;
        break;
      }
    }
    std::string result;
    Result<bool> res = found && method != "batch" ? Call(method, mparams, result)
                                                  : Result<bool>(errors::BadRequest());
    json::ObjectWriter w(out);
    if (res.ok()) {
      w.Key(method).append(result);
    } else {
      AppendError(res.error(), w.Key("error"));
    }
  }
  out.append("]}");
  return true;
}

}  // namespace gyre::api
