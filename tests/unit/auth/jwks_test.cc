#include "auth/jwks.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "auth/http_get.h"
#include "auth/jwt.h"
#include "auth/test_keys.h"

namespace gyre::auth {
namespace {

using testing::GenEc;
using testing::GenEd25519;
using testing::GenRsa;
using testing::JwkJson;
using testing::Key;
using testing::MakeToken;

constexpr int64_t kNow = 1'700'000'000;

struct Keys {
  Key rsa = GenRsa();
  Key p256 = GenEc("P-256");
  Key p521 = GenEc("P-521");
  Key ed = GenEd25519();
};
const Keys& K() {
  static const Keys keys;
  return keys;
}

std::string KeySet(std::initializer_list<std::string> keys) {
  std::string out = R"({"keys":[)";
  bool first = true;
  for (const auto& k : keys) {
    if (!first) out += ",";
    first = false;
    out += k;
  }
  return out + "]}";
}

// --- JWK parsing ----------------------------------------------------------------------------

TEST(JwkTest, ParsesRsaEcAndOkp) {
  std::vector<Jwk> keys;
  std::string error;
  std::vector<std::string> skipped;
  ASSERT_TRUE(ParseJwks(
      KeySet({JwkJson(K().rsa.get(), "r", "RS256"), JwkJson(K().p256.get(), "e"),
              JwkJson(K().p521.get(), "e5", "ES512"), JwkJson(K().ed.get(), "o", "EdDSA")}),
      keys, error, &skipped))
      << error;
  ASSERT_EQ(keys.size(), 4u) << (skipped.empty() ? "" : skipped[0]);
  EXPECT_EQ(keys[0].kty, "RSA");
  EXPECT_EQ(keys[0].alg, Alg::kRS256);
  EXPECT_EQ(FamilyOfKey(keys[0].key.get()), KeyFamily::kRsa);
  EXPECT_EQ(keys[1].alg, Alg::kUnknown);
  EXPECT_EQ(EcCurveBits(keys[1].key.get()), 256);
  EXPECT_EQ(EcCurveBits(keys[2].key.get()), 521);
  EXPECT_EQ(FamilyOfKey(keys[3].key.get()), KeyFamily::kEd25519);
  // The converted key verifies what the original signed.
  std::string token = MakeToken("ES256", "{}", K().p256.get());
  size_t dot = token.rfind('.');
  std::string sig;
  ASSERT_TRUE(Base64UrlDecode(token.substr(dot + 1), sig));
  EXPECT_TRUE(VerifyWithKey(Alg::kES256, keys[1].key.get(), token.substr(0, dot), sig));
}

TEST(JwkTest, SkipsUnusableKeys) {
  std::vector<Jwk> keys;
  std::string error;
  std::vector<std::string> skipped;
  ASSERT_TRUE(ParseJwks(KeySet({
                            JwkJson(K().rsa.get(), "enc", "", "enc"),
                            R"({"kid":"sym","kty":"oct","k":"AAAA"})",
                            R"({"kid":"bad","kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"})",
                            R"({"kid":"crv","kty":"OKP","crv":"X25519","x":"AAAA"})",
                            R"({"kid":"nx","kty":"RSA","e":"AQAB"})",
                            JwkJson(K().rsa.get(), "mismatch", "ES256"),
                            JwkJson(K().rsa.get(), "ps", "PS256"),
                            JwkJson(K().rsa.get(), "ok"),
                        }),
                        keys, error, &skipped));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].kid, "ok");
  EXPECT_EQ(skipped.size(), 7u);
}

TEST(JwkTest, RejectsNonSets) {
  std::vector<Jwk> keys;
  std::string error;
  EXPECT_FALSE(ParseJwks("[]", keys, error));
  EXPECT_FALSE(ParseJwks(R"({"keys":{}})", keys, error));
  EXPECT_FALSE(ParseJwks("not json", keys, error));
}

// --- Verifier with JWKS (fake fetcher) ------------------------------------------------------

struct FakeEndpoint {
  std::string body;
  bool fail = false;
  int calls = 0;
  JwksFetchFn Fn() {
    return [this](const std::string& url, std::string& out, std::string& error) {
      ++calls;
      EXPECT_EQ(url, "http://keys.test/jwks");
      if (fail) {
        error = "boom";
        return false;
      }
      out = body;
      return true;
    };
  }
};

std::shared_ptr<Verifier> JwksVerifier(FakeEndpoint& endpoint) {
  config::TokenConfig c;
  c.jwks_public_endpoint = "http://keys.test/jwks";
  c.hmac_secret_key = "ignored when JWKS is configured";
  VerifierOptions options;
  options.jwks_fetch = endpoint.Fn();
  auto r = Verifier::Create(c, options);
  EXPECT_TRUE(r.ok());
  return *r;
}

TEST(JwksVerifierTest, VerifiesByKid) {
  FakeEndpoint endpoint;
  endpoint.body = KeySet({JwkJson(K().rsa.get(), "r1", "RS256"), JwkJson(K().p256.get(), "e1"),
                          JwkJson(K().ed.get(), "o1")});
  auto v = JwksVerifier(endpoint);
  auto r = v->VerifyConnect(MakeToken("RS256", R"({"sub":"a"})", K().rsa.get(), {}, "r1"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk) << r.message;
  EXPECT_EQ(r.claims.user, "a");
  r = v->VerifyConnect(MakeToken("ES256", R"({"sub":"b"})", K().p256.get(), {}, "e1"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk) << r.message;
  r = v->VerifyConnect(MakeToken("EdDSA", R"({"sub":"c"})", K().ed.get(), {}, "o1"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk) << r.message;
  auto s = v->VerifySubscribe(
      MakeToken("EdDSA", R"({"channel":"x","exp":1})", K().ed.get(), {}, "o1"), kNow);
  EXPECT_EQ(s.status, TokenStatus::kExpired);
  EXPECT_EQ(endpoint.calls, 1);  // one fetch served all of them
}

TEST(JwksVerifierTest, RefusesWhatTheKeyDoesNotAllow) {
  FakeEndpoint endpoint;
  endpoint.body = KeySet({JwkJson(K().rsa.get(), "r1", "RS256"), JwkJson(K().p256.get(), "e1")});
  auto v = JwksVerifier(endpoint);
  auto status = [&](std::string token) { return v->VerifyConnect(token, kNow).status; };
  // Key alg pins the token alg.
  EXPECT_EQ(status(MakeToken("RS512", "{}", K().rsa.get(), {}, "r1")), TokenStatus::kInvalid);
  // Family mismatch, HMAC with the key's text, missing kid, unknown kid, wrong signer.
  EXPECT_EQ(status(MakeToken("RS256", "{}", K().rsa.get(), {}, "e1")), TokenStatus::kInvalid);
  EXPECT_EQ(status(MakeToken("HS256", "{}", nullptr, "x", "r1")), TokenStatus::kInvalid);
  EXPECT_EQ(status(MakeToken("RS256", "{}", K().rsa.get())), TokenStatus::kInvalid);
  EXPECT_EQ(status(MakeToken("ES256", "{}", K().p256.get(), {}, "nope")), TokenStatus::kInvalid);
  EXPECT_EQ(status(MakeToken("ES256", "{}", K().p521.get(), {}, "e1")), TokenStatus::kInvalid);
}

TEST(JwksVerifierTest, UnknownKidRefetchIsThrottledAndTtlRefreshes) {
  FakeEndpoint endpoint;
  endpoint.body = KeySet({JwkJson(K().p256.get(), "old")});
  auto v = JwksVerifier(endpoint);
  std::string old_token = MakeToken("ES256", "{}", K().p256.get(), {}, "old");
  std::string new_token = MakeToken("ES256", "{}", K().p521.get(), {}, "new");
  EXPECT_EQ(v->VerifyConnect(old_token, kNow).status, TokenStatus::kOk);
  EXPECT_EQ(endpoint.calls, 1);
  // The endpoint starts publishing a new key; an unknown kid refetches, but not more often than
  // kJwksMinRefetchInterval.
  endpoint.body = KeySet({JwkJson(K().p256.get(), "old"), JwkJson(K().p521.get(), "new")});
  EXPECT_EQ(v->VerifyConnect(new_token, kNow + 1).status, TokenStatus::kInvalid);
  EXPECT_EQ(endpoint.calls, 1);
  EXPECT_EQ(v->VerifyConnect(new_token, kNow + 1 + kJwksMinRefetchInterval).status,
            TokenStatus::kInvalid);  // ES512 token but the new key is P-521: signed as ES256
  EXPECT_EQ(endpoint.calls, 2);
  std::string new_es512 = MakeToken("ES512", "{}", K().p521.get(), {}, "new");
  EXPECT_EQ(v->VerifyConnect(new_es512, kNow + 10).status, TokenStatus::kOk);
  EXPECT_EQ(endpoint.calls, 2);
  // After the TTL the set is fetched again; if that fails the cached keys keep working.
  endpoint.fail = true;
  EXPECT_EQ(v->VerifyConnect(old_token, kNow + 6 + kJwksTtl).status, TokenStatus::kOk);
  EXPECT_EQ(endpoint.calls, 3);
  // A key removed from the set stops working once the set is refreshed.
  endpoint.fail = false;
  endpoint.body = KeySet({JwkJson(K().p521.get(), "new")});
  EXPECT_EQ(v->VerifyConnect(old_token, kNow + 12 + kJwksTtl).status, TokenStatus::kInvalid);
  EXPECT_EQ(endpoint.calls, 4);
}

TEST(JwksVerifierTest, SkipSignatureDoesNotFetch) {
  FakeEndpoint endpoint;
  config::TokenConfig c;
  c.jwks_public_endpoint = "http://keys.test/jwks";
  VerifierOptions options;
  options.jwks_fetch = endpoint.Fn();
  options.skip_signature_verify = true;
  auto v = *Verifier::Create(c, options);
  EXPECT_EQ(v->VerifyConnect(MakeToken("RS256", "{}", K().rsa.get()), kNow).status,
            TokenStatus::kOk);
  EXPECT_EQ(endpoint.calls, 0);
}

TEST(JwksVerifierTest, EndpointMustBeHttp) {
  config::TokenConfig c;
  c.jwks_public_endpoint = "ftp://x/";
  auto r = Verifier::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("client.token.jwks_public_endpoint"), std::string::npos);
  c.jwks_public_endpoint = "https://x/";  // https is fetched with TLS (http_get_tls_test.cc)
  EXPECT_TRUE(Verifier::Create(c).ok());
}

// --- URL parsing and the HTTP fetcher -------------------------------------------------------

TEST(HttpUrlTest, Parses) {
  HttpUrl u;
  std::string error;
  ASSERT_TRUE(ParseHttpUrl("http://example.com", u, error));
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.target, "/");
  ASSERT_TRUE(ParseHttpUrl("HTTP://127.0.0.1:8080/a/b?x=1#frag", u, error));
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "8080");
  EXPECT_EQ(u.target, "/a/b?x=1");
  ASSERT_TRUE(ParseHttpUrl("http://[::1]:81?q", u, error));
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "81");
  EXPECT_EQ(u.target, "/?q");
  EXPECT_FALSE(ParseHttpUrl("ftp://example.com/", u, error));
  EXPECT_FALSE(ParseHttpUrl("http://", u, error));
  EXPECT_FALSE(ParseHttpUrl("http://user@host/", u, error));
  EXPECT_FALSE(ParseHttpUrl("http://host:8x/", u, error));
}

// A one-shot HTTP server on 127.0.0.1 that answers each connection with a canned response.
class TinyServer {
 public:
  explicit TinyServer(std::vector<std::string> responses) : responses_(std::move(responses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TinyServer() {
    thread_.join();
    ::close(fd_);
  }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::string first_request;

 private:
  void Serve() {
    for (const auto& response : responses_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      if (first_request.empty()) first_request = request;
      ::send(c, response.data(), response.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  std::vector<std::string> responses_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(HttpGetTest, ContentLengthChunkedAndCloseDelimited) {
  TinyServer server({
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhelloTRAILING",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n",
      "HTTP/1.0 404 Not Found\r\n\r\nmissing",
  });
  HttpResponse r;
  std::string error;
  ASSERT_TRUE(HttpGet(server.Url("/jwks?x=1"), std::chrono::seconds(2), r, error)) << error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(server.first_request.rfind("GET /jwks?x=1 HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(server.first_request.find("\r\nHost: 127.0.0.1:"), std::string::npos);
  HttpResponse chunked;
  ASSERT_TRUE(HttpGet(server.Url("/"), std::chrono::seconds(2), chunked, error)) << error;
  EXPECT_EQ(chunked.body, "abcdef");
  HttpResponse missing;
  ASSERT_TRUE(HttpGet(server.Url("/"), std::chrono::seconds(2), missing, error)) << error;
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "missing");
}

TEST(HttpGetTest, ConnectionRefusedFailsFast) {
  // Find a port nobody listens on: bind, read the port, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  HttpResponse r;
  std::string error;
  EXPECT_FALSE(HttpGet("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/",
                       std::chrono::seconds(1), r, error));
  EXPECT_NE(error.find("connect"), std::string::npos) << error;
}

TEST(HttpGetTest, DefaultFetcherEndToEnd) {
  std::string set = KeySet({JwkJson(K().ed.get(), "k1", "EdDSA")});
  TinyServer server({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(set.size()) + "\r\n\r\n" + set});
  config::TokenConfig c;
  c.jwks_public_endpoint = server.Url("/.well-known/jwks.json");
  auto v = *Verifier::Create(c);
  auto r = v->VerifyConnect(MakeToken("EdDSA", R"({"sub":"e"})", K().ed.get(), {}, "k1"), kNow);
  EXPECT_EQ(r.status, TokenStatus::kOk) << r.message;
  EXPECT_EQ(r.claims.user, "e");
}

}  // namespace
}  // namespace gyre::auth
