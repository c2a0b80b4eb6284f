// The server HTTP API (spec §6): per-method endpoints (/api/publish, ...), the batch method, and
// the legacy newline-delimited single endpoint (/api) used by cent.js pipelines and the admin UI.
//
// Methods run on the loop that received the request. Those that act on connections (subscribe,
// unsubscribe, disconnect, refresh) are posted to every loop and answered at once, as Centrifugo
// answers once its control message is sent.
#pragma once

#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"
#include "core/node.h"
#include "net/connection.h"

namespace gyre::api {

class ServerApi {
 public:
  explicit ServerApi(core::Node& node) : node_(node) {}

  // Executes one method; on success appends the result object's JSON to `out`.
  // Unknown method -> error 104 "not found" (callers map it per endpoint).
  Result<bool> Call(std::string_view method, json::Value params, std::string& out);

  // HTTP entry point for every path under http_api.handler_prefix.
  void HandleHttp(net::Connection& conn, net::HttpRequest& request);

  // API key check (X-API-Key, Authorization: apikey <key>, ?api_key=).
  bool Authorized(const net::HttpRequest& request) const;

 private:
  Result<bool> Publish(json::Value params, std::string& out);
  Result<bool> Broadcast(json::Value params, std::string& out);
  Result<bool> Subscribe(json::Value params, std::string& out);
  Result<bool> Unsubscribe(json::Value params, std::string& out);
  Result<bool> DisconnectUser(json::Value params, std::string& out);
  Result<bool> Refresh(json::Value params, std::string& out);
  Result<bool> Presence(json::Value params, std::string& out);
  Result<bool> PresenceStats(json::Value params, std::string& out);
  Result<bool> History(json::Value params, std::string& out);
  Result<bool> HistoryRemove(json::Value params, std::string& out);
  Result<bool> Channels(json::Value params, std::string& out);
  Result<bool> Info(json::Value params, std::string& out);
  Result<bool> Rpc(json::Value params, std::string& out);
  Result<bool> Batch(json::Value params, std::string& out);
  void HandleLegacy(net::Connection& conn, net::HttpRequest& request);

  core::Node& node_;
};

}  // namespace gyre::api
