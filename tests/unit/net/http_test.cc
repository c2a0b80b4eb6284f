#include "net/http.h"

#include <gtest/gtest.h>

#include <string>

namespace gyre::net {
namespace {

constexpr size_t kMaxBody = 1024;

constexpr std::string_view kUpgrade =
    "GET /connection/websocket?cf_protocol=json HTTP/1.1\r\n"
    "Host: localhost:8000\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

HttpParseResult Parse(std::string_view data, HttpRequest& req, size_t max_body = kMaxBody) {
  return ParseHttpRequest(data, max_body, req);
}

HttpRequest MustParse(std::string_view data) {
  HttpRequest req;
  HttpParseResult r = Parse(data, req);
  EXPECT_EQ(r.status, HttpParseStatus::kDone) << r.error;
  EXPECT_EQ(r.consumed, data.size());
  return req;
}

// --- Parsing --------------------------------------------------------------------------------

TEST(HttpParse, CompleteRequest) {
  HttpRequest req;
  HttpParseResult r = Parse(kUpgrade, req);
  ASSERT_EQ(r.status, HttpParseStatus::kDone);
  EXPECT_EQ(r.consumed, kUpgrade.size());
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/connection/websocket?cf_protocol=json");
  EXPECT_EQ(req.path(), "/connection/websocket");
  EXPECT_EQ(req.query(), "cf_protocol=json");
  EXPECT_EQ(req.version_minor, 1);
  ASSERT_EQ(req.headers.size(), 5u);
  EXPECT_EQ(req.headers[0].first, "Host");
  EXPECT_EQ(req.headers[0].second, "localhost:8000");
  EXPECT_EQ(req.Header("upgrade"), "websocket");
  EXPECT_EQ(req.Header("SEC-WEBSOCKET-KEY"), "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_TRUE(req.HasHeader("sec-websocket-version"));
  EXPECT_FALSE(req.HasHeader("Origin"));
  EXPECT_EQ(req.Header("Origin"), "");
  EXPECT_TRUE(req.body.empty());
}

TEST(HttpParse, PathWithoutQuery) {
  HttpRequest req = MustParse("GET /health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(req.path(), "/health");
  EXPECT_EQ(req.query(), "");
  EXPECT_EQ(req.version_minor, 0);
  EXPECT_TRUE(req.headers.empty());
}

TEST(HttpParse, HeaderValuesAreTrimmedAndMayBeEmpty) {
  HttpRequest req = MustParse(
      "GET / HTTP/1.1\r\nX-A:   spaced value \t\r\nX-B:\r\nX-C:no-space\r\nX-Colon: a:b:c\r\n\r\n");
  EXPECT_EQ(req.Header("X-A"), "spaced value");
  EXPECT_TRUE(req.HasHeader("X-B"));
  EXPECT_EQ(req.Header("X-B"), "");
  EXPECT_EQ(req.Header("X-C"), "no-space");
  EXPECT_EQ(req.Header("X-Colon"), "a:b:c");
}

TEST(HttpParse, DuplicateHeadersKeepTheFirstForLookup) {
  HttpRequest req = MustParse("GET / HTTP/1.1\r\nX-Dup: one\r\nx-dup: two\r\n\r\n");
  EXPECT_EQ(req.headers.size(), 2u);
  EXPECT_EQ(req.Header("X-Dup"), "one");
}

TEST(HttpParse, IncompleteAtEveryPrefix) {
  for (size_t n = 0; n < kUpgrade.size(); ++n) {
    HttpRequest req;
    HttpParseResult r = Parse(kUpgrade.substr(0, n), req);
    EXPECT_EQ(r.status, HttpParseStatus::kIncomplete) << "prefix " << n;
    EXPECT_EQ(r.consumed, 0u);
  }
}

TEST(HttpParse, BodyWithContentLength) {
  std::string req_text =
      "POST /api/publish HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
      "{\"a\":\"xyz\"}";
  HttpRequest req = MustParse(req_text);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body, "{\"a\":\"xyz\"}");

  // Every prefix, including those with part of the body, is incomplete.
  for (size_t n = 0; n < req_text.size(); ++n) {
    HttpRequest partial;
    EXPECT_EQ(Parse(std::string_view(req_text).substr(0, n), partial).status,
              HttpParseStatus::kIncomplete)
        << n;
  }
}

TEST(HttpParse, ZeroContentLength) {
  HttpRequest req = MustParse("POST /api HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(req.body.empty());
}

TEST(HttpParse, PipelinedRequests) {
  std::string first = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  std::string second = "GET /b?x=1 HTTP/1.1\r\n\r\n";
  std::string third = "POST /c HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel";  // body cut
  std::string data = first + second + third;
  std::string_view rest = data;

  HttpRequest a;
  HttpParseResult r = Parse(rest, a);
  ASSERT_EQ(r.status, HttpParseStatus::kDone);
  EXPECT_EQ(r.consumed, first.size());
  EXPECT_EQ(a.target, "/a");
  EXPECT_EQ(a.body, "abc");
  rest.remove_prefix(r.consumed);

  HttpRequest b;
  r = Parse(rest, b);
  ASSERT_EQ(r.status, HttpParseStatus::kDone);
  EXPECT_EQ(r.consumed, second.size());
  EXPECT_EQ(b.path(), "/b");
  EXPECT_TRUE(b.body.empty());
  rest.remove_prefix(r.consumed);

  HttpRequest c;
  r = Parse(rest, c);
  EXPECT_EQ(r.status, HttpParseStatus::kIncomplete);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(HttpParse, BodyTooLargeIs413BeforeTheBodyArrives) {
  HttpRequest req;
  HttpParseResult r = Parse("POST /api HTTP/1.1\r\nContent-Length: 1025\r\n\r\n", req);
  EXPECT_EQ(r.status, HttpParseStatus::kError);
  EXPECT_EQ(r.error_status, 413);
  EXPECT_FALSE(r.error.empty());

  // Exactly the limit is fine.
  std::string ok = "POST /api HTTP/1.1\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'x');
  HttpRequest req2 = MustParse(ok);
  EXPECT_EQ(req2.body.size(), 1024u);

  // A huge declared length does not overflow.
  HttpRequest req3;
  r = Parse("POST /api HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n", req3);
  EXPECT_EQ(r.status, HttpParseStatus::kError);
  EXPECT_EQ(r.error_status, 413);
}

TEST(HttpParse, ChunkedIs411) {
  for (std::string_view te : {"chunked", "Chunked", "gzip, chunked"}) {
    HttpRequest req;
    std::string text = "POST /api HTTP/1.1\r\nTransfer-Encoding: " + std::string(te) + "\r\n\r\n";
    HttpParseResult r = Parse(text, req);
    EXPECT_EQ(r.status, HttpParseStatus::kError) << te;
    EXPECT_EQ(r.error_status, 411) << te;
  }
  // `identity` is no transfer coding at all.
  HttpRequest req =
      MustParse("POST /api HTTP/1.1\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(req.body, "{}");
}

TEST(HttpParse, MalformedContentLength) {
  for (std::string_view cl : {"abc", "12abc", "-1", "1 2", "0x10"}) {
    HttpRequest req;
    std::string text = "POST /api HTTP/1.1\r\nContent-Length: " + std::string(cl) + "\r\n\r\n";
    HttpParseResult r = Parse(text, req);
    EXPECT_EQ(r.status, HttpParseStatus::kError) << cl;
    EXPECT_EQ(r.error_status, 400) << cl;
  }
}

TEST(HttpParse, HeaderTooLargeIs431) {
  // No end of headers within the limit: refuse instead of buffering forever.
  std::string text = "GET / HTTP/1.1\r\nX-Big: " + std::string(kMaxHeaderBytes, 'a');
  HttpRequest req;
  HttpParseResult r = Parse(text, req);
  EXPECT_EQ(r.status, HttpParseStatus::kError);
  EXPECT_EQ(r.error_status, 431);

  // Up to the limit, still waiting for the rest.
  HttpRequest req2;
  EXPECT_EQ(Parse(std::string_view(text).substr(0, kMaxHeaderBytes), req2).status,
            HttpParseStatus::kIncomplete);
}

TEST(HttpParse, BadRequestLine) {
  struct Case {
    std::string_view text;
    int status;
  };
  const Case cases[] = {
      {"GET\r\n\r\n", 400},
      {"GET /\r\n\r\n", 400},
      {"\r\n\r\n", 400},
      {"GET  HTTP/1.1\r\n\r\n", 400},
      {"GET foo HTTP/1.1\r\n\r\n", 400},
      {"GET http://example.com/ HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / HTTP/1.1 \r\n\r\n", 505},
      {"GET / http/1.1\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    HttpRequest req;
    HttpParseResult r = Parse(c.text, req);
    EXPECT_EQ(r.status, HttpParseStatus::kError) << c.text;
    EXPECT_EQ(r.error_status, c.status) << c.text;
    EXPECT_FALSE(r.error.empty()) << c.text;
  }
}

TEST(HttpParse, ReusedRequestObjectIsReset) {
  HttpRequest req;
  ASSERT_EQ(Parse("POST /a HTTP/1.1\r\nX-One: 1\r\nContent-Length: 1\r\n\r\nz", req).status,
            HttpParseStatus::kDone);
  ASSERT_EQ(Parse("GET /b HTTP/1.1\r\nX-Two: 2\r\n\r\n", req).status, HttpParseStatus::kDone);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/b");
  EXPECT_FALSE(req.HasHeader("X-One"));
  EXPECT_EQ(req.body, "");
}

// --- Query parameters -----------------------------------------------------------------------

TEST(HttpQuery, UrlDecodesValuesAndKeys) {
  HttpRequest req;
  req.target = "/connection?a=1&b=hello%20world&c=x+y&d&e=&f=%zz&g=%E2%82%AC&k%65y=v&a=2&h=%41";
  EXPECT_EQ(req.QueryParam("a"), "1");  // first occurrence wins
  EXPECT_EQ(req.QueryParam("b"), "hello world");
  EXPECT_EQ(req.QueryParam("c"), "x y");
  EXPECT_EQ(req.QueryParam("d"), "");
  EXPECT_EQ(req.QueryParam("e"), "");
  EXPECT_EQ(req.QueryParam("f"), "%zz");  // invalid escapes stay literal
  EXPECT_EQ(req.QueryParam("g"), "\xE2\x82\xAC");
  EXPECT_EQ(req.QueryParam("key"), "v");
  EXPECT_EQ(req.QueryParam("h"), "A");  // escape at the very end
  EXPECT_EQ(req.QueryParam("missing"), "");
  EXPECT_EQ(req.QueryParam(""), "");
}

TEST(HttpQuery, NoQueryOrEmptyParts) {
  HttpRequest req;
  req.target = "/x";
  EXPECT_EQ(req.QueryParam("a"), "");
  req.target = "/x?";
  EXPECT_EQ(req.QueryParam("a"), "");
  req.target = "/x?&&a=1&";
  EXPECT_EQ(req.QueryParam("a"), "1");
  req.target = "/x?a=b=c";
  EXPECT_EQ(req.QueryParam("a"), "b=c");
}

TEST(HttpQuery, UrlDecode) {
  EXPECT_EQ(UrlDecode(""), "");
  EXPECT_EQ(UrlDecode("plain"), "plain");
  EXPECT_EQ(UrlDecode("a+b%2Bc"), "a b+c");
  EXPECT_EQ(UrlDecode("%2f%2F"), "//");
  EXPECT_EQ(UrlDecode("%"), "%");
  EXPECT_EQ(UrlDecode("%4"), "%4");
  EXPECT_EQ(UrlDecode("a%2"), "a%2");
  EXPECT_EQ(UrlDecode("%g1"), "%g1");
  EXPECT_EQ(UrlDecode("%00"), std::string(1, '\0'));
  EXPECT_EQ(UrlDecode("100%25"), "100%");
}

// --- Keep-alive -----------------------------------------------------------------------------

bool KeepAlive(int minor, std::string_view connection) {
  HttpRequest req;
  req.version_minor = minor;
  if (!connection.empty()) req.headers.emplace_back("Connection", std::string(connection));
  return req.KeepAlive();
}

TEST(HttpKeepAlive, Rules) {
  EXPECT_TRUE(KeepAlive(1, ""));
  EXPECT_TRUE(KeepAlive(1, "keep-alive"));
  EXPECT_TRUE(KeepAlive(1, "Upgrade"));
  EXPECT_FALSE(KeepAlive(1, "close"));
  EXPECT_FALSE(KeepAlive(1, "Close"));
  EXPECT_FALSE(KeepAlive(1, "upgrade, CLOSE"));
  EXPECT_FALSE(KeepAlive(0, ""));
  EXPECT_TRUE(KeepAlive(0, "keep-alive"));
  EXPECT_TRUE(KeepAlive(0, "Keep-Alive"));
  EXPECT_FALSE(KeepAlive(0, "close"));
}

TEST(HttpKeepAlive, FromParsedRequest) {
  EXPECT_TRUE(MustParse("GET / HTTP/1.1\r\n\r\n").KeepAlive());
  EXPECT_FALSE(MustParse("GET / HTTP/1.1\r\nconnection: close\r\n\r\n").KeepAlive());
  EXPECT_FALSE(MustParse("GET / HTTP/1.0\r\n\r\n").KeepAlive());
  EXPECT_TRUE(MustParse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").KeepAlive());
}

// --- Responses ------------------------------------------------------------------------------

TEST(HttpResponse, ExactBytes) {
  EXPECT_EQ(BuildHttpResponse(200, "application/json", "{}", true),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "{}");
  EXPECT_EQ(BuildHttpResponse(404, "text/plain", "not found\n", false),
            "HTTP/1.1 404 Not Found\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 10\r\n"
            "Connection: close\r\n"
            "\r\n"
            "not found\n");
}

TEST(HttpResponse, NoContentTypeAndExtraHeaders) {
  EXPECT_EQ(BuildHttpResponse(204, "", "", true, {"Access-Control-Allow-Origin: *", "X-A: b"}),
            "HTTP/1.1 204 No Content\r\n"
            "Content-Length: 0\r\n"
            "Access-Control-Allow-Origin: *\r\n"
            "X-A: b\r\n"
            "\r\n");
}

TEST(HttpResponse, ParsesBackAsAMessage) {
  std::string body(5000, 'b');
  std::string resp = BuildHttpResponse(413, "text/plain", body, false);
  size_t head_end = resp.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  EXPECT_EQ(resp.substr(0, resp.find("\r\n")), "HTTP/1.1 413 Payload Too Large");
  EXPECT_NE(resp.find("Content-Length: 5000\r\n"), std::string::npos);
  EXPECT_EQ(resp.substr(head_end + 4), body);
}

TEST(HttpResponse, StatusTexts) {
  EXPECT_STREQ(StatusText(101), "Switching Protocols");
  EXPECT_STREQ(StatusText(400), "Bad Request");
  EXPECT_STREQ(StatusText(411), "Length Required");
  EXPECT_STREQ(StatusText(426), "Upgrade Required");
  EXPECT_STREQ(StatusText(431), "Request Header Fields Too Large");
  EXPECT_STREQ(StatusText(503), "Service Unavailable");
  EXPECT_STREQ(StatusText(299), "Unknown");
  EXPECT_EQ(BuildHttpResponse(299, "", "", true).substr(0, 21), "HTTP/1.1 299 Unknown\r");
}

TEST(HttpParse, CompleteButOversizedHeadIs431) {
  std::string text = "GET / HTTP/1.1\r\nX-Big: " + std::string(kMaxHeaderBytes, 'a') + "\r\n\r\n";
  HttpRequest req;
  HttpParseResult r = ParseHttpRequest(text, 1024, req);
  EXPECT_EQ(r.status, HttpParseStatus::kError);
  EXPECT_EQ(r.error_status, 431);
}

}  // namespace
}  // namespace gyre::net
