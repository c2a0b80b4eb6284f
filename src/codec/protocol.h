// Client protocol v2 messages (centrifugal/protocol client.proto) as plain C++ values.
//
// `bytes` fields (data, info, conn_info, chan_info) hold raw payload bytes: in JSON encoding they
// are embedded verbatim as JSON values; in protobuf they are length-delimited bytes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace gyre::proto {

enum class Encoding : uint8_t { kJson, kProtobuf };

struct StreamPosition {
  uint64_t offset = 0;
  std::string epoch;
};

struct ClientInfo {
  std::string user;
  std::string client;
  std::string conn_info;  // raw bytes, may be empty
  std::string chan_info;  // raw bytes, may be empty
};

struct Publication {
  std::string data;  // raw bytes
  std::optional<ClientInfo> info;
  uint64_t offset = 0;
  std::map<std::string, std::string> tags;
  bool delta = false;
  int64_t time = 0;   // ms; kept in history, never sent to clients
  std::string epoch;  // set on live pushes of history channels, as Centrifugo does
};

// ---- requests (client -> server) ----

struct SubscribeRequest {
  std::string channel;
  std::string token;
  bool recover = false;
  std::string epoch;
  uint64_t offset = 0;
  std::string data;
  bool positioned = false;
  bool recoverable = false;
  bool join_leave = false;
  std::string delta;
  int64_t flag = 0;
  int32_t type = 0;
};

struct ConnectRequest {
  std::string token;
  std::string data;
  std::map<std::string, SubscribeRequest> subs;
  std::string name;
  std::string version;
  std::map<std::string, std::string> headers;
};

struct UnsubscribeRequest {
  std::string channel;
};
struct PublishRequest {
  std::string channel;
  std::string data;
};
struct PresenceRequest {
  std::string channel;
};
struct PresenceStatsRequest {
  std::string channel;
};
struct HistoryRequest {
  std::string channel;
  int32_t limit = 0;
  std::optional<StreamPosition> since;
  bool reverse = false;
};
struct PingRequest {};
struct SendRequest {
  std::string data;
};
struct RpcRequest {
  std::string data;
  std::string method;
};
struct RefreshRequest {
  std::string token;
};
struct SubRefreshRequest {
  std::string channel;
  std::string token;
};

// Exactly one request is set; std::monostate means "no known request field" (a pong when id==0).
using Request =
    std::variant<std::monostate, ConnectRequest, SubscribeRequest, UnsubscribeRequest,
                 PublishRequest, PresenceRequest, PresenceStatsRequest, HistoryRequest, PingRequest,
                 SendRequest, RpcRequest, RefreshRequest, SubRefreshRequest>;

struct Command {
  uint32_t id = 0;
  Request request;
};

// ---- results (server -> client) ----

struct SubscribeResult {
  bool expires = false;
  uint32_t ttl = 0;
  bool recoverable = false;
  std::string epoch;
  std::vector<Publication> publications;
  bool recovered = false;
  uint64_t offset = 0;
  bool positioned = false;
  std::string data;  // raw bytes
  bool was_recovering = false;
  bool delta = false;
};

struct ConnectResult {
  std::string client;
  std::string version;
  bool expires = false;
  uint32_t ttl = 0;
  std::string data;  // raw bytes
  std::map<std::string, SubscribeResult> subs;
  uint32_t ping = 0;
  bool pong = false;
  std::string session;
  std::string node;
  int64_t time = 0;
};

struct UnsubscribeResult {};
struct PublishResult {};
struct PresenceResult {
  std::map<std::string, ClientInfo> presence;
};
struct PresenceStatsResult {
  uint32_t num_clients = 0;
  uint32_t num_users = 0;
};
struct HistoryResult {
  std::vector<Publication> publications;
  std::string epoch;
  uint64_t offset = 0;
};
struct RpcResult {
  std::string data;
};
struct RefreshResult {
  std::string client;
  std::string version;
  bool expires = false;
  uint32_t ttl = 0;
};
struct SubRefreshResult {
  bool expires = false;
  uint32_t ttl = 0;
};

using Result = std::variant<std::monostate, ConnectResult, SubscribeResult, UnsubscribeResult,
                            PublishResult, PresenceResult, PresenceStatsResult, HistoryResult,
                            RpcResult, RefreshResult, SubRefreshResult>;

struct ReplyError {
  uint32_t code = 0;
  std::string message;
  bool temporary = false;
};

struct Reply {
  uint32_t id = 0;
  std::optional<ReplyError> error;
  Result result;
};

// ---- pushes ----

struct Join {
  ClientInfo info;
};
struct Leave {
  ClientInfo info;
};
struct Unsubscribe {
  uint32_t code = 0;
  std::string reason;
};
struct Message {
  std::string data;
};
struct Subscribe {
  bool recoverable = false;
  std::string epoch;
  uint64_t offset = 0;
  bool positioned = false;
  std::string data;
};
struct DisconnectPush {
  uint32_t code = 0;
  std::string reason;
};
struct RefreshPush {
  bool expires = false;
  uint32_t ttl = 0;
};

using PushBody = std::variant<Publication, Join, Leave, Unsubscribe, Message, Subscribe,
                              ConnectResult, DisconnectPush, RefreshPush>;

struct Push {
  std::string channel;
  PushBody body;
};

}  // namespace gyre::proto
