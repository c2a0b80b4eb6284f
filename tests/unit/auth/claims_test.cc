#include "auth/claims.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "auth/test_keys.h"

namespace gyre::auth {
namespace {

constexpr int64_t kNow = 1'700'000'000;

std::shared_ptr<Verifier> HmacVerifier(std::string user_id_claim = "") {
  config::TokenConfig c;
  c.hmac_secret_key = "s";
  c.user_id_claim = std::move(user_id_claim);
  auto r = Verifier::Create(c);
  return r.ok() ? *r : nullptr;
}

Verified<ConnectClaims> Connect(std::string_view claims, std::string user_id_claim = "") {
  return HmacVerifier(std::move(user_id_claim))->VerifyConnect(SignHs256(claims, "s"), kNow);
}

Verified<SubscribeClaims> Subscribe(std::string_view claims) {
  return HmacVerifier()->VerifySubscribe(SignHs256(claims, "s"), kNow);
}

TEST(ConnectClaimsTest, EveryField) {
  auto r = Connect(R"({
    "sub": "u1", "exp": 1700000100, "nbf": 1699999999, "iat": 1699999990, "jti": "j",
    "expire_at": 1700000200,
    "info": {"name": "Ann", "score": 1.50},
    "channels": ["news", "chat:1"],
    "subs": {
      "personal:u1": {"info": [1, 2], "data": {"x": true},
                       "override": {"presence": {"value": true}, "join_leave": {"value": false},
                                    "force_push_join_leave": {"value": true},
                                    "force_recovery": {"value": true},
                                    "force_positioning": {}}},
      "bin": {"b64info": "aGk=", "b64data": "AAE="}
    },
    "meta": {"role": "admin"},
    "unknown_claim": {"ignored": [1]}
  })");
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.message;
  const ConnectClaims& c = r.claims;
  EXPECT_EQ(c.user, "u1");
  EXPECT_EQ(c.exp, 1700000100);
  EXPECT_EQ(c.iat, 1699999990);
  EXPECT_EQ(c.expire_at, 1700000200);
  EXPECT_EQ(c.info, R"({"name": "Ann", "score": 1.50})");
  EXPECT_EQ(c.channels, (std::vector<std::string>{"news", "chat:1"}));
  ASSERT_EQ(c.subs.size(), 2u);
  const SubOptions& p = c.subs.at("personal:u1");
  EXPECT_EQ(p.info, "[1, 2]");
  EXPECT_EQ(p.data, R"({"x": true})");
  EXPECT_EQ(p.override_.presence, true);
  EXPECT_EQ(p.override_.join_leave, false);
  EXPECT_EQ(p.override_.force_push_join_leave, true);
  EXPECT_EQ(p.override_.force_recovery, true);
  EXPECT_EQ(p.override_.force_positioning, false);  // an entry without "value" means false
  const SubOptions& b = c.subs.at("bin");
  EXPECT_EQ(b.info, "hi");
  EXPECT_EQ(b.data, std::string("\0\1", 2));
  EXPECT_FALSE(b.override_.presence.has_value());
  EXPECT_EQ(c.meta, R"({"role": "admin"})");
}

TEST(ConnectClaimsTest, RawInfoBytesArePreservedExactly) {
  auto r = Connect(R"({"info":{"a": 1.50}})");
  ASSERT_EQ(r.status, TokenStatus::kOk);
  EXPECT_EQ(r.claims.info, R"({"a": 1.50})");
  r = Connect(R"({"info":"text \u00e9\n"})");
  EXPECT_EQ(r.claims.info, R"("text \u00e9\n")");
  r = Connect(R"({"info":  [ 1e3 , null ]  })");
  EXPECT_EQ(r.claims.info, "[ 1e3 , null ]");
}

TEST(ConnectClaimsTest, B64InfoWinsOverInfo) {
  auto r = Connect(R"({"info":{"a":1},"b64info":"AP8="})");
  ASSERT_EQ(r.status, TokenStatus::kOk);
  EXPECT_EQ(r.claims.info, std::string("\x00\xff", 2));
}

TEST(ConnectClaimsTest, AbsentAndNullClaims) {
  auto r = Connect(R"({"info":null,"exp":null,"channels":null,"subs":null,"meta":null})");
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.message;
  EXPECT_EQ(r.claims.user, "");
  EXPECT_EQ(r.claims.exp, 0);
  EXPECT_FALSE(r.claims.expire_at.has_value());
  EXPECT_EQ(r.claims.info, "");
  EXPECT_TRUE(r.claims.channels.empty());
  EXPECT_EQ(r.claims.meta, "");
}

TEST(ConnectClaimsTest, ExpireAtZeroMeansNeverAndIsKept) {
  auto r = Connect(R"({"exp":1700000100,"expire_at":0})");
  ASSERT_EQ(r.status, TokenStatus::kOk);
  ASSERT_TRUE(r.claims.expire_at.has_value());
  EXPECT_EQ(*r.claims.expire_at, 0);
  EXPECT_EQ(r.claims.exp, 1700000100);
}

TEST(ConnectClaimsTest, FractionalExpIsAccepted) {
  auto r = Connect(R"({"exp":1700000100.5})");
  ASSERT_EQ(r.status, TokenStatus::kOk);
  EXPECT_EQ(r.claims.exp, 1700000100);
  EXPECT_EQ(Connect(R"({"exp":1.7e9})").status, TokenStatus::kExpired);
}

TEST(ConnectClaimsTest, ChannelClaimMakesConnectionTokenInvalid) {
  auto r = Connect(R"({"sub":"1","channel":"news"})");
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
  EXPECT_NE(r.message.find("channel"), std::string::npos);
  // Even when the token is also expired, as in Centrifugo.
  EXPECT_EQ(Connect(R"({"channel":"news","exp":1})").status, TokenStatus::kInvalid);
  // An empty channel is the same as none.
  EXPECT_EQ(Connect(R"({"channel":""})").status, TokenStatus::kOk);
}

TEST(ConnectClaimsTest, UserIdClaim) {
  EXPECT_EQ(Connect(R"({"sub":"a","user_id":"b"})", "user_id").claims.user, "b");
  EXPECT_EQ(Connect(R"({"sub":"a","user_id":17})", "user_id").claims.user, "17");
  EXPECT_EQ(Connect(R"({"sub":"a"})", "user_id").claims.user, "");
  EXPECT_EQ(Connect(R"({"user":{"id":"n"}})", "user.id").claims.user, "n");
}

TEST(ConnectClaimsTest, WrongTypesAreInvalid) {
  const char* cases[][2] = {
      {R"({"exp":"1700000100"})", "exp"},
      {R"({"nbf":true})", "nbf"},
      {R"({"iat":{}})", "iat"},
      {R"({"sub":1})", "sub"},
      {R"({"iss":[]})", "iss"},
      {R"({"aud":[1]})", "aud"},
      {R"({"expire_at":"0"})", "expire_at"},
      {R"({"expire_at":1.5})", "expire_at"},
      {R"({"b64info":1})", "b64info"},
      {R"({"b64info":"***"})", "b64info"},
      {R"({"channels":"news"})", "channels"},
      {R"({"channels":[1]})", "channels"},
      {R"({"subs":[]})", "subs"},
      {R"({"subs":{"a":1}})", "subs"},
      {R"({"subs":{"a":{"b64data":"%%"}}})", "b64data"},
      {R"({"subs":{"a":{"override":{"presence":true}}}})", "override"},
      {R"({"subs":{"a":{"override":{"presence":{"value":"yes"}}}}})", "override"},
      {R"({"channel":5})", "channel"},
  };
  for (const auto& [claims, name] : cases) {
    auto r = Connect(claims);
    EXPECT_EQ(r.status, TokenStatus::kInvalid) << claims;
    EXPECT_NE(r.message.find(name), std::string::npos) << claims << " -> " << r.message;
  }
}

TEST(ConnectClaimsTest, OtherTokenKindClaimsAreIgnored) {
  // `data`, `client` and `override` mean nothing in a connection token.
  auto r = Connect(R"({"data":1,"client":5,"override":7})");
  EXPECT_EQ(r.status, TokenStatus::kOk) << r.message;
}

TEST(ConnectClaimsTest, RepeatedClaimKeepsLastValue) {
  auto r = Connect(R"({"sub":"a","sub":"b","subs":{"x":{"info":1},"x":{"info":2}}})");
  ASSERT_EQ(r.status, TokenStatus::kOk);
  EXPECT_EQ(r.claims.user, "b");
  EXPECT_EQ(r.claims.subs.at("x").info, "2");
}

TEST(SubscribeClaimsTest, EveryField) {
  auto r = Subscribe(R"({
    "sub": "u1", "channel": "$gossips", "client": "c-1", "exp": 1700000100, "iat": 1699999999,
    "expire_at": 0, "info": {"k": "v" }, "data": [ "d" ],
    "override": {"presence": {"value": false}, "force_recovery": {"value": true}},
    "channels": 7, "subs": 8, "meta": 9
  })");
  ASSERT_EQ(r.status, TokenStatus::kOk) << r.message;
  const SubscribeClaims& c = r.claims;
  EXPECT_EQ(c.user, "u1");
  EXPECT_EQ(c.channel, "$gossips");
  EXPECT_EQ(c.client, "c-1");
  EXPECT_EQ(c.exp, 1700000100);
  EXPECT_EQ(c.iat, 1699999999);
  EXPECT_EQ(c.expire_at, 0);
  EXPECT_EQ(c.info, R"({"k": "v" })");
  EXPECT_EQ(c.data, R"([ "d" ])");
  EXPECT_EQ(c.override_.presence, false);
  EXPECT_EQ(c.override_.force_recovery, true);
  EXPECT_FALSE(c.override_.join_leave.has_value());
}

TEST(SubscribeClaimsTest, Base64InfoAndData) {
  auto r = Subscribe(R"({"channel":"c","info":1,"b64info":"aGk=","data":2,"b64data":"eW8="})");
  ASSERT_EQ(r.status, TokenStatus::kOk);
  EXPECT_EQ(r.claims.info, "hi");
  EXPECT_EQ(r.claims.data, "yo");
}

TEST(SubscribeClaimsTest, ChannelIsRequired) {
  auto r = Subscribe(R"({"sub":"u"})");
  EXPECT_EQ(r.status, TokenStatus::kInvalid);
  EXPECT_NE(r.message.find("channel"), std::string::npos);
  // Expiry is decided first (Centrifugo's order).
  EXPECT_EQ(Subscribe(R"({"exp":1})").status, TokenStatus::kExpired);
}

TEST(SubscribeClaimsTest, WrongTypesAreInvalid) {
  EXPECT_EQ(Subscribe(R"({"channel":"c","client":1})").status, TokenStatus::kInvalid);
  EXPECT_EQ(Subscribe(R"({"channel":"c","b64data":"!"})").status, TokenStatus::kInvalid);
  EXPECT_EQ(Subscribe(R"({"channel":"c","override":[]})").status, TokenStatus::kInvalid);
}

TEST(ParseClaimsTest, ViewsPointIntoPayload) {
  std::string payload = R"({"info": {"z":0} ,"meta":[]})";
  ParsedClaims claims;
  std::string error;
  ASSERT_TRUE(ParseClaims(payload, TokenKind::kConnect, claims, error)) << error;
  EXPECT_EQ(claims.options.info, R"({"z":0})");
  EXPECT_EQ(claims.options.info.data(), payload.data() + 9);
  EXPECT_EQ(claims.meta, "[]");
}

TEST(ParseClaimsTest, DecodeStdBase64RejectsUrlAlphabet) {
  std::string out;
  EXPECT_TRUE(DecodeStdBase64("+/8=", out));
  EXPECT_EQ(out, "\xfb\xff");
  EXPECT_FALSE(DecodeStdBase64("-_8=", out));
}

}  // namespace
}  // namespace gyre::auth
