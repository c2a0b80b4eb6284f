// Publishes through the server HTTP API (`POST <api_path>/publish`, spec §6) on one keep-alive
// connection with pipelining. One connection keeps publications in order, so subscribers can
// detect loss and duplication by sequence number. Not thread-safe.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace gyre::bench {

class HttpPublisher {
 public:
  // Connects (blocking, with a timeout of a few seconds) and registers with `epoll_fd` using
  // `tag` as the epoll data. Returns false with `error` set on failure.
  bool Connect(int epoll_fd, const sockaddr_in& addr, std::string host_header, std::string api_path,
               std::string api_key, uint64_t tag, std::string& error);

  // Queues one publish request; the body is {"channel":..., "data": <data>}. Nothing is sent
  // until Flush(), so that a burst of publications leaves in one write, as from a busy backend.
  void Publish(std::string_view channel, std::string_view data);

  // Writes what the kernel takes now; the rest goes out on EPOLLOUT. False if the socket broke.
  bool Flush();

  // Handles readiness. Returns false when the connection broke (see error()).
  bool OnEvents(uint32_t events);

  uint64_t sent() const { return sent_; }
  uint64_t acked() const { return acked_; }    // HTTP 200 without an "error" member
  uint64_t failed() const { return failed_; }  // non-200 or an "error" reply
  uint64_t in_flight() const { return sent_ - acked_ - failed_; }
  const std::string& error() const { return error_; }
  void Close();

 private:
  bool ParseResponses();
  void UpdateEpoll();

  int fd_ = -1;
  int epoll_fd_ = -1;
  uint64_t tag_ = 0;
  bool want_write_ = false;
  std::string host_header_, api_path_, api_key_;
  std::string out_;
  std::string in_;
  uint64_t sent_ = 0, acked_ = 0, failed_ = 0;
  std::string error_;
};

}  // namespace gyre::bench
