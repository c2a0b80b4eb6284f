// Reply errors and disconnects: the two ways a client learns that something went wrong.
// Numbers and texts are Centrifugo's (spec §2); they are part of the wire contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace gyre {

// An error sent in a command reply; the connection stays open.
struct Error {
  uint32_t code = 0;
  std::string message;
  bool temporary = false;

  friend bool operator==(const Error&, const Error&) = default;
};

// A reason to close a connection; sent in the WebSocket close frame (or a disconnect push).
struct Disconnect {
  uint32_t code = 0;
  std::string reason;

  // Codes 3500..3999 and 4500..4999 tell SDKs not to reconnect.
  bool Reconnect() const {
    return !((code >= 3500 && code < 4000) || (code >= 4500 && code < 5000));
  }
  friend bool operator==(const Disconnect&, const Disconnect&) = default;
};

namespace errors {
inline Error Internal() {
  return {100, "internal server error", true};
}
inline Error Unauthorized() {
  return {101, "unauthorized", false};
}
inline Error UnknownChannel() {
  return {102, "unknown channel", false};
}
inline Error PermissionDenied() {
  return {103, "permission denied", false};
}
inline Error MethodNotFound() {
  return {104, "method not found", false};
}
inline Error AlreadySubscribed() {
  return {105, "already subscribed", false};
}
inline Error LimitExceeded() {
  return {106, "limit exceeded", false};
}
inline Error BadRequest() {
  return {107, "bad request", false};
}
inline Error NotAvailable() {
  return {108, "not available", false};
}
inline Error TokenExpired() {
  return {109, "token expired", false};
}
inline Error Expired() {
  return {110, "expired", false};
}
inline Error TooManyRequests() {
  return {111, "too many requests", true};
}
inline Error UnrecoverablePosition() {
  return {112, "unrecoverable position", false};
}
// Server API only: "not found" for an unknown method.
inline Error NotFound() {
  return {104, "not found", false};
}
}  // namespace errors

namespace disconnects {
inline Disconnect ConnectionClosed() {
  return {3000, "connection closed"};
}
inline Disconnect Shutdown() {
  return {3001, "shutdown"};
}
inline Disconnect ServerError() {
  return {3004, "internal server error"};
}
inline Disconnect Expired() {
  return {3005, "connection expired"};
}
inline Disconnect SubExpired() {
  return {3006, "subscription expired"};
}
inline Disconnect Slow() {
  return {3008, "slow"};
}
inline Disconnect WriteError() {
  return {3009, "write error"};
}
inline Disconnect InsufficientState() {
  return {3010, "insufficient state"};
}
inline Disconnect ForceReconnect() {
  return {3011, "force reconnect"};
}
inline Disconnect NoPong() {
  return {3012, "no pong"};
}
inline Disconnect TooManyRequests() {
  return {3013, "too many requests"};
}
inline Disconnect InvalidToken() {
  return {3500, "invalid token"};
}
inline Disconnect BadRequest() {
  return {3501, "bad request"};
}
inline Disconnect Stale() {
  return {3502, "stale"};
}
inline Disconnect ForceNoReconnect() {
  return {3503, "force disconnect"};
}
inline Disconnect ConnectionLimit() {
  return {3504, "connection limit"};
}
inline Disconnect ChannelLimit() {
  return {3505, "channel limit"};
}
inline Disconnect InappropriateProtocol() {
  return {3506, "inappropriate protocol"};
}
inline Disconnect PermissionDenied() {
  return {3507, "permission denied"};
}
inline Disconnect NotAvailable() {
  return {3508, "not available"};
}
inline Disconnect TooManyErrors() {
  return {3509, "too many errors"};
}
}  // namespace disconnects

namespace unsubscribes {
struct Unsubscribe {
  uint32_t code;
  std::string_view reason;
};
inline constexpr Unsubscribe kServer{2000, "server unsubscribe"};
inline constexpr Unsubscribe kInsufficientState{2500, "insufficient state"};
inline constexpr Unsubscribe kExpired{2501, "subscription expired"};
}  // namespace unsubscribes

// Result of a fallible call: a value or a reply error. No exceptions on the hot path.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// A plain-text failure for configuration and start-up paths (not sent to clients).
struct Failure {
  std::string message;
};

}  // namespace gyre
