#include "transport/websocket_transport.h"

#include "base/log.h"
#include "base/util.h"
#include "core/client.h"

namespace gyre::transport {
namespace {

class WebSocketSession final : public net::WebSocketHandler, public core::Transport {
 public:
  WebSocketSession(net::Connection* conn, core::Node& node, core::Hub& hub, proto::Encoding enc)
      : conn_(conn), encoding_(enc), client_(&node, &hub, this, enc) {}

  core::Client& client() { return client_; }

  // net::WebSocketHandler
  void OnWsMessage(net::Connection&, std::string_view payload, bool) override {
    client_.HandleFrame(payload);
  }
  void OnWsClosed(net::Connection& conn, uint16_t) override {
    conn_ = nullptr;
    client_.OnTransportClosed();
    conn.loop()->DeleteLater(this);
  }

  // core::Transport
  proto::Encoding encoding() const override { return encoding_; }
  void Send(core::SharedBytes message) override {
    if (conn_) conn_->SendMessage(std::move(message));
  }
  void Send(std::string message) override {
    if (conn_) conn_->SendMessage(std::move(message));
  }
  size_t QueuedBytes() const override { return conn_ ? conn_->queued_bytes() : 0; }
  void Close(const Disconnect& d) override {
    if (conn_) conn_->Close(static_cast<uint16_t>(d.code), d.reason);
  }

 private:
  net::Connection* conn_;
  proto::Encoding encoding_;
  core::Client client_;
};

bool HeaderHasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view part = value.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (EqualsIgnoreCase(part, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

void Refuse(net::Connection& conn, int status, std::string_view message) {
  conn.SendHttpResponse(net::BuildHttpResponse(status, "text/plain; charset=utf-8",
                                               std::string(message) + "\n", false),
                        false);
}

}  // namespace

bool OriginAllowed(const std::vector<std::string>& allowed, std::string_view origin) {
  if (origin.empty()) return true;
  std::string lower = ToLower(origin);
  for (const auto& pattern : allowed) {
    if (pattern == "*") return true;
    if (GlobMatch(ToLower(pattern), lower)) return true;
  }
  return false;
}

void HandleWebSocketUpgrade(net::Connection& conn, net::HttpRequest& req, core::Node& node) {
  if (req.method != "GET") {
    Refuse(conn, 405, "method not allowed");
    return;
  }
  if (!HeaderHasToken(req.Header("Upgrade"), "websocket") ||
      !HeaderHasToken(req.Header("Connection"), "upgrade")) {
    Refuse(conn, 400, "Bad Request: websocket upgrade required");
    return;
  }
  if (req.Header("Sec-WebSocket-Version") != "13" || req.Header("Sec-WebSocket-Key").empty()) {
    Refuse(conn, 400, "Bad Request: unsupported websocket version or missing key");
    return;
  }
  std::string_view origin = req.Header("Origin");
  if (!OriginAllowed(node.config().client.allowed_origins, origin)) {
    spdlog::info("websocket upgrade from {} refused: origin {} is not in allowed_origins",
                 req.remote_address, origin);
    Refuse(conn, 403, "Forbidden");
    return;
  }
  if (!node.AdmitConnection()) {
    Refuse(conn, 503, "Service Unavailable");
    return;
  }
  std::string_view offered = req.Header("Sec-WebSocket-Protocol");
  proto::Encoding enc = proto::Encoding::kJson;
  std::string_view subprotocol;
  if (HeaderHasToken(offered, "centrifuge-protobuf")) {
    enc = proto::Encoding::kProtobuf;
    subprotocol = "centrifuge-protobuf";
  } else if (HeaderHasToken(offered, "centrifuge-json")) {
    subprotocol = "centrifuge-json";
  }
  if (req.QueryParam("format") == "protobuf" || req.QueryParam("cf_protocol") == "protobuf") {
    enc = proto::Encoding::kProtobuf;
  }
  core::Hub& hub = node.hub(conn.loop()->index());
  auto* session = new WebSocketSession(&conn, node, hub, enc);  // freed in OnWsClosed
  conn.AcceptWebSocket(req, session, subprotocol, enc == proto::Encoding::kProtobuf);
  session->client().Start();
}

}  // namespace gyre::transport
