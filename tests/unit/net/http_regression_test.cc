// Inputs found by tests/fuzz/http_request_fuzz that the parser once mishandled.
#include <gtest/gtest.h>

#include <string_view>

#include "net/http.h"

namespace gyre::net {
namespace {

// A request line starting with a space has no method; it was accepted with an empty method.
TEST(HttpParseRegression, EmptyMethodIsRejected) {
  for (std::string_view data : {std::string_view(" / HTTP/1.1\r\nHost: a\r\n\r\n"),
                                std::string_view("  /a b HTTP/1.0\r\n\r\n")}) {
    HttpRequest req;
    HttpParseResult r = ParseHttpRequest(data, 1024, req);
    EXPECT_EQ(r.status, HttpParseStatus::kError) << data;
    EXPECT_EQ(r.error_status, 400) << data;
    EXPECT_EQ(r.consumed, 0u);
  }
  HttpRequest req;
  EXPECT_EQ(ParseHttpRequest("GET / HTTP/1.1\r\n\r\n", 1024, req).status, HttpParseStatus::kDone);
  EXPECT_EQ(req.method, "GET");
}

}  // namespace
}  // namespace gyre::net
