#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/codec.h"
#include "codec/protocol.h"

namespace gyre::codec {
namespace {

using proto::Encoding;

std::vector<proto::Command> Decode(std::string_view frame) {
  std::vector<proto::Command> out;
  DecodeResult r = DecodeCommands(Encoding::kJson, frame, out);
  EXPECT_EQ(r.status, DecodeStatus::kOk) << r.message << " for " << frame;
  return out;
}

void ExpectMalformed(std::string_view frame) {
  std::vector<proto::Command> out;
  DecodeResult r = DecodeCommands(Encoding::kJson, frame, out);
  EXPECT_EQ(r.status, DecodeStatus::kMalformed) << "frame: " << frame;
  EXPECT_FALSE(r.message.empty());
}

std::string Reply(const proto::Reply& reply) {
  std::string out;
  EncodeReply(Encoding::kJson, reply, out);
  return out;
}

std::string Push(const proto::Push& push) {
  std::string out;
  EncodePush(Encoding::kJson, push, out);
  return out;
}

// ---- decoding ----

TEST(JsonDecode, ConnectCommand) {
  auto cmds =
      Decode(R"({"id":1,"connect":{"token":"t","data":{"a": 1.50},"name":"js","version":"5",)"
             R"("subs":{"news":{"recover":true,"offset":4,"epoch":"e"}},"headers":{"X-A":"b"}}})");
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].id, 1u);
  const auto* c = std::get_if<proto::ConnectRequest>(&cmds[0].request);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->token, "t");
  EXPECT_EQ(c->data, R"({"a": 1.50})");
  EXPECT_EQ(c->name, "js");
  EXPECT_EQ(c->version, "5");
  ASSERT_EQ(c->subs.count("news"), 1u);
  EXPECT_TRUE(c->subs.at("news").recover);
  EXPECT_EQ(c->subs.at("news").offset, 4u);
  EXPECT_EQ(c->subs.at("news").epoch, "e");
  EXPECT_EQ(c->headers.at("X-A"), "b");
}

TEST(JsonDecode, SubscribeCommandAllFields) {
  auto cmds =
      Decode(R"({"id":2,"subscribe":{"channel":"chat:1","token":"tk","recover":true,"epoch":"ep",)"
             R"("offset":18446744073709551615,"data":[1, 2],"positioned":true,"recoverable":true,)"
             R"("join_leave":true,"delta":"fossil","flag":3,"type":0,"tf":{"op":"and"}}})");
  ASSERT_EQ(cmds.size(), 1u);
  const auto* s = std::get_if<proto::SubscribeRequest>(&cmds[0].request);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->channel, "chat:1");
  EXPECT_EQ(s->token, "tk");
  EXPECT_TRUE(s->recover);
  EXPECT_EQ(s->epoch, "ep");
  EXPECT_EQ(s->offset, UINT64_MAX);
  EXPECT_EQ(s->data, "[1, 2]");
  EXPECT_TRUE(s->positioned);
  EXPECT_TRUE(s->recoverable);
  EXPECT_TRUE(s->join_leave);
  EXPECT_EQ(s->delta, "fossil");
  EXPECT_EQ(s->flag, 3);
}

TEST(JsonDecode, EveryRequestType) {
  auto cmds = Decode(
      "{\"id\":1,\"unsubscribe\":{\"channel\":\"a\"}}\n"
      "{\"id\":2,\"publish\":{\"channel\":\"a\",\"data\":\"s\"}}\n"
      "{\"id\":3,\"presence\":{\"channel\":\"a\"}}\n"
      "{\"id\":4,\"presence_stats\":{\"channel\":\"a\"}}\n"
      "{\"id\":5,\"history\":{\"channel\":\"a\",\"limit\":-1,\"since\":{\"offset\":3,\"epoch\":"
      "\"x\"},\"reverse\":true}}\n"
      "{\"id\":6,\"ping\":{}}\n"
      "{\"send\":{\"data\":true}}\n"
      "{\"id\":8,\"rpc\":{\"method\":\"m\",\"data\":null}}\n"
      "{\"id\":9,\"refresh\":{\"token\":\"t\"}}\n"
      "{\"id\":10,\"sub_refresh\":{\"channel\":\"a\",\"token\":\"t\"}}\n"
      "{}");
  ASSERT_EQ(cmds.size(), 11u);
  EXPECT_EQ(std::get<proto::UnsubscribeRequest>(cmds[0].request).channel, "a");
  EXPECT_EQ(std::get<proto::PublishRequest>(cmds[1].request).data, "\"s\"");
  EXPECT_EQ(std::get<proto::PresenceRequest>(cmds[2].request).channel, "a");
  EXPECT_EQ(std::get<proto::PresenceStatsRequest>(cmds[3].request).channel, "a");
  const auto& h = std::get<proto::HistoryRequest>(cmds[4].request);
  EXPECT_EQ(h.channel, "a");
  EXPECT_EQ(h.limit, -1);
  ASSERT_TRUE(h.since.has_value());
  EXPECT_EQ(h.since->offset, 3u);
  EXPECT_EQ(h.since->epoch, "x");
  EXPECT_TRUE(h.reverse);
  EXPECT_TRUE(std::holds_alternative<proto::PingRequest>(cmds[5].request));
  EXPECT_EQ(cmds[6].id, 0u);
  EXPECT_EQ(std::get<proto::SendRequest>(cmds[6].request).data, "true");
  const auto& rpc = std::get<proto::RpcRequest>(cmds[7].request);
  EXPECT_EQ(rpc.method, "m");
  EXPECT_EQ(rpc.data, "null");
  EXPECT_EQ(std::get<proto::RefreshRequest>(cmds[8].request).token, "t");
  const auto& sr = std::get<proto::SubRefreshRequest>(cmds[9].request);
  EXPECT_EQ(sr.channel, "a");
  EXPECT_EQ(sr.token, "t");
  EXPECT_EQ(cmds[10].id, 0u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(cmds[10].request));
}

TEST(JsonDecode, TrailingNewlineAndCrLf) {
  EXPECT_EQ(Decode("{\"id\":1,\"ping\":{}}\n").size(), 1u);
  EXPECT_EQ(Decode("{\"id\":1}\r\n{\"id\":2}\r\n").size(), 2u);
  EXPECT_EQ(Decode("{}").size(), 1u);
}

TEST(JsonDecode, NullRequestCountsAsAbsentAndUnknownKeysIgnored) {
  auto cmds = Decode(R"({"id":3,"connect":null,"foo":[1,{"x":2}],"publish":{"channel":"c"}})");
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<proto::PublishRequest>(cmds[0].request));
  cmds = Decode(R"({"id":3,"subscribe":{"channel":"c"},"subscribe":null})");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(cmds[0].request));
  // Null scalars keep their zero value.
  cmds = Decode(R"({"id":null,"subscribe":{"channel":null,"offset":null,"recover":null}})");
  EXPECT_EQ(cmds[0].id, 0u);
  EXPECT_EQ(std::get<proto::SubscribeRequest>(cmds[0].request).channel, "");
}

TEST(JsonDecode, FirstRequestInDispatchOrderWins) {
  auto cmds = Decode(R"({"id":1,"publish":{"channel":"p"},"subscribe":{"channel":"s"}})");
  EXPECT_EQ(std::get<proto::SubscribeRequest>(cmds[0].request).channel, "s");
  cmds = Decode(R"({"id":1,"subscribe":{"channel":"s"},"connect":{}})");
  EXPECT_TRUE(std::holds_alternative<proto::ConnectRequest>(cmds[0].request));
}

TEST(JsonDecode, RepeatedRequestKeyMerges) {
  auto cmds = Decode(R"({"id":1,"subscribe":{"channel":"s"},"subscribe":{"token":"t"}})");
  const auto& s = std::get<proto::SubscribeRequest>(cmds[0].request);
  EXPECT_EQ(s.channel, "s");
  EXPECT_EQ(s.token, "t");
}

TEST(JsonDecode, RawDataKeptByteForByte) {
  const std::string payloads[] = {R"({"a": 1.50})",
                                  R"("text with \"quotes\" and \u00e9")",
                                  "123.4500e+3",
                                  "[ ]",
                                  R"({ "nested" : { "k" : [ true , false , null ] } })",
                                  "-0",
                                  "false"};
  for (const auto& p : payloads) {
    auto cmds = Decode(R"({"id":7,"publish":{"channel":"c","data":)" + p + "}}");
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(std::get<proto::PublishRequest>(cmds[0].request).data, p);
  }
}

TEST(JsonDecode, UnicodeEscapesInStrings) {
  auto cmds = Decode(
      R"({"id":1,"subscribe":{"channel":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n","token":"\u0041"}})");
  const auto& s = std::get<proto::SubscribeRequest>(cmds[0].request);
  EXPECT_EQ(s.channel, "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ / \n");
  EXPECT_EQ(s.token, "A");
  // Escaped keys are matched after unescaping.
  cmds = Decode(R"({"\u0069d":5})");
  EXPECT_EQ(cmds[0].id, 5u);
}

TEST(JsonDecode, Malformed) {
  ExpectMalformed("");
  ExpectMalformed("\n");
  ExpectMalformed("{");
  ExpectMalformed("{\"id\":1}\n\n{\"id\":2}");
  ExpectMalformed("{\"id\":1}\n\n");
  ExpectMalformed("{\"id\":1} x");
  ExpectMalformed("[]");
  ExpectMalformed("\"str\"");
  ExpectMalformed(R"({"id":"x"})");
  ExpectMalformed(R"({"id":-1})");
  ExpectMalformed(R"({"id":1.5})");
  ExpectMalformed(R"({"id":1.0})");
  ExpectMalformed(R"({"id":1e2})");
  ExpectMalformed(R"({"id":4294967296})");
  ExpectMalformed(R"({"id":1,"subscribe":{"channel":5}})");
  ExpectMalformed(R"({"id":1,"subscribe":{"recover":"yes"}})");
  ExpectMalformed(R"({"id":1,"subscribe":{"offset":18446744073709551616}})");
  ExpectMalformed(R"({"id":1,"subscribe":"chan"})");
  ExpectMalformed(R"({"id":1,"subscribe":[]})");
  ExpectMalformed(R"({"id":1,"history":{"channel":"c","limit":2147483648}})");
  ExpectMalformed(R"({"id":1,"history":{"channel":"c","since":5}})");
  ExpectMalformed(R"({"id":1,"connect":{"subs":[]}})");
  ExpectMalformed(R"({"id":1,"connect":{"headers":{"a":1}}})");
  ExpectMalformed(R"({"id":1,"ping":[]})");
  // A bad message anywhere in the frame fails the frame.
  ExpectMalformed("{\"id\":1}\n{\"id\":true}");
}

TEST(JsonDecode, TopLevelNullIsEmptyCommand) {
  auto cmds = Decode("null");
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].id, 0u);
}

// ---- encoding ----

TEST(JsonEncode, Ping) {
  std::string out;
  EncodePing(Encoding::kJson, out);
  EXPECT_EQ(out, "{}");
}

TEST(JsonEncode, ConnectResult) {
  proto::ConnectResult r;
  r.client = "c1";
  r.version = "6.9.1 OSS";
  r.ping = 25;
  r.pong = true;
  EXPECT_EQ(Reply({1, std::nullopt, r}),
            R"({"id":1,"connect":{"client":"c1","version":"6.9.1 OSS","ping":25,"pong":true}})");

  r.expires = true;
  r.ttl = 60;
  r.data = "{\"x\":\n1}";
  r.session = "s";
  r.node = "n";
  r.time = 1700000000000;
  proto::SubscribeResult sub;
  sub.recoverable = true;
  sub.epoch = "e";
  sub.offset = 3;
  r.subs["b"] = sub;
  r.subs["a"] = proto::SubscribeResult{};
  EXPECT_EQ(Reply({2, std::nullopt, r}),
            R"({"id":2,"connect":{"client":"c1","version":"6.9.1 OSS","expires":true,"ttl":60,)"
            R"("data":{"x":1},"subs":{"a":{},"b":{"recoverable":true,"epoch":"e","offset":3}},)"
            R"("ping":25,"pong":true,"session":"s","node":"n","time":1700000000000}})");
}

TEST(JsonEncode, SubscribeResultWithPublications) {
  proto::SubscribeResult r;
  r.expires = true;
  r.ttl = 10;
  r.recoverable = true;
  r.epoch = "aBcD";
  r.recovered = true;
  r.offset = 6;
  r.positioned = true;
  r.data = "\"hello\"";
  r.was_recovering = true;
  r.delta = true;
  proto::Publication p1;
  p1.data = R"({"t":"x"})";
  p1.offset = 5;
  p1.time = 123;  // never written to clients
  proto::Publication p2;
  p2.data = R"({"t":"y"})";
  p2.info = proto::ClientInfo{"u", "c", R"({"n":1})", ""};
  p2.offset = 6;
  p2.tags = {{"k2", "v2"}, {"k1", "v1"}};
  p2.delta = true;
  r.publications = {p1, p2};
  EXPECT_EQ(Reply({2, std::nullopt, r}),
            R"({"id":2,"subscribe":{"expires":true,"ttl":10,"recoverable":true,"epoch":"aBcD",)"
            R"("publications":[{"data":{"t":"x"},"offset":5},{"data":{"t":"y"},"info":{"user":"u",)"
            R"("client":"c","conn_info":{"n":1}},"offset":6,"tags":{"k1":"v1","k2":"v2"},)"
            R"("delta":true}],"recovered":true,"offset":6,"positioned":true,"data":"hello",)"
            R"("was_recovering":true,"delta":true}})");
  EXPECT_EQ(Reply({3, std::nullopt, proto::SubscribeResult{}}), R"({"id":3,"subscribe":{}})");
}

TEST(JsonEncode, EmptyResults) {
  EXPECT_EQ(Reply({4, std::nullopt, proto::UnsubscribeResult{}}), R"({"id":4,"unsubscribe":{}})");
  EXPECT_EQ(Reply({5, std::nullopt, proto::PublishResult{}}), R"({"id":5,"publish":{}})");
  EXPECT_EQ(Reply({6, std::nullopt, proto::RpcResult{}}), R"({"id":6,"rpc":{}})");
  EXPECT_EQ(Reply({7, std::nullopt, proto::RefreshResult{}}), R"({"id":7,"refresh":{}})");
  EXPECT_EQ(Reply({8, std::nullopt, proto::SubRefreshResult{}}), R"({"id":8,"sub_refresh":{}})");
  EXPECT_EQ(Reply({9, std::nullopt, std::monostate{}}), R"({"id":9})");
  EXPECT_EQ(Reply({}), "{}");
}

TEST(JsonEncode, PresenceAndStats) {
  proto::PresenceResult pr;
  EXPECT_EQ(Reply({1, std::nullopt, pr}), R"({"id":1,"presence":{"presence":{}}})");
  pr.presence["c2"] = proto::ClientInfo{"", "c2", "", R"({"ch":true})"};
  pr.presence["c1"] = proto::ClientInfo{"u1", "c1", R"({"name":"A"})", ""};
  EXPECT_EQ(
      Reply({1, std::nullopt, pr}),
      R"({"id":1,"presence":{"presence":{"c1":{"user":"u1","client":"c1",)"
      R"("conn_info":{"name":"A"}},"c2":{"user":"","client":"c2","chan_info":{"ch":true}}}}})");
  EXPECT_EQ(Reply({2, std::nullopt, proto::PresenceStatsResult{}}),
            R"({"id":2,"presence_stats":{"num_clients":0,"num_users":0}})");
  EXPECT_EQ(Reply({2, std::nullopt, proto::PresenceStatsResult{3, 2}}),
            R"({"id":2,"presence_stats":{"num_clients":3,"num_users":2}})");
}

TEST(JsonEncode, History) {
  EXPECT_EQ(Reply({1, std::nullopt, proto::HistoryResult{}}),
            R"({"id":1,"history":{"publications":[],"epoch":"","offset":0}})");
  proto::HistoryResult h;
  proto::Publication p;
  p.data = "1";
  p.offset = 9007199254740993ull;
  h.publications = {p};
  h.epoch = "ep";
  h.offset = 9007199254740993ull;
  EXPECT_EQ(Reply({1, std::nullopt, h}),
            R"({"id":1,"history":{"publications":[{"data":1,"offset":9007199254740993}],)"
            R"("epoch":"ep","offset":9007199254740993}})");
}

TEST(JsonEncode, RpcRefreshSubRefresh) {
  EXPECT_EQ(Reply({1, std::nullopt, proto::RpcResult{"[1,\n2]"}}),
            R"({"id":1,"rpc":{"data":[1,2]}})");
  EXPECT_EQ(Reply({1, std::nullopt, proto::RefreshResult{"c", "v", true, 30}}),
            R"({"id":1,"refresh":{"client":"c","version":"v","expires":true,"ttl":30}})");
  EXPECT_EQ(Reply({1, std::nullopt, proto::SubRefreshResult{true, 30}}),
            R"({"id":1,"sub_refresh":{"expires":true,"ttl":30}})");
}

TEST(JsonEncode, Errors) {
  EXPECT_EQ(Reply({3, proto::ReplyError{103, "permission denied", false}, {}}),
            R"({"id":3,"error":{"code":103,"message":"permission denied"}})");
  EXPECT_EQ(Reply({3, proto::ReplyError{100, "internal server error", true}, {}}),
            R"({"id":3,"error":{"code":100,"message":"internal server error","temporary":true}})");
  EXPECT_EQ(Reply({0, proto::ReplyError{}, {}}), R"({"error":{}})");
}

TEST(JsonEncode, PushPublication) {
  proto::Publication p;
  p.data = R"({"t":"y"})";
  p.offset = 6;
  EXPECT_EQ(Push({"chat:1", p}),
            R"({"push":{"channel":"chat:1","pub":{"data":{"t":"y"},"offset":6}}})");
  EXPECT_EQ(Push({"", proto::Publication{}}), R"({"push":{"pub":{}}})");
}

TEST(JsonEncode, PushOtherTypes) {
  proto::ClientInfo info{"u", "c", "", ""};
  EXPECT_EQ(Push({"ch", proto::Join{info}}),
            R"({"push":{"channel":"ch","join":{"info":{"user":"u","client":"c"}}}})");
  EXPECT_EQ(Push({"ch", proto::Leave{info}}),
            R"({"push":{"channel":"ch","leave":{"info":{"user":"u","client":"c"}}}})");
  EXPECT_EQ(
      Push({"chat:1", proto::Unsubscribe{2500, "insufficient state"}}),
      R"({"push":{"channel":"chat:1","unsubscribe":{"code":2500,"reason":"insufficient state"}}})");
  EXPECT_EQ(Push({"", proto::Message{R"({"m":1})"}}), R"({"push":{"message":{"data":{"m":1}}}})");
  EXPECT_EQ(Push({"ch", proto::Subscribe{true, "e", 5, true, "{}"}}),
            R"({"push":{"channel":"ch","subscribe":{"recoverable":true,"epoch":"e","offset":5,)"
            R"("positioned":true,"data":{}}}})");
  EXPECT_EQ(Push({"", proto::DisconnectPush{3001, "shutdown"}}),
            R"({"push":{"disconnect":{"code":3001,"reason":"shutdown"}}})");
  EXPECT_EQ(Push({"", proto::RefreshPush{true, 10}}),
            R"({"push":{"refresh":{"expires":true,"ttl":10}}})");
  // The Connect push orders data/subs before expires/ttl (its own field numbers).
  proto::ConnectResult c;
  c.client = "c";
  c.version = "v";
  c.expires = true;
  c.ttl = 5;
  c.data = "1";
  c.ping = 25;
  c.subs["s"] = {};
  EXPECT_EQ(Push({"", c}),
            R"({"push":{"connect":{"client":"c","version":"v","data":1,"subs":{"s":{}},)"
            R"("expires":true,"ttl":5,"ping":25}}})");
  std::string bare;
  EncodeBarePush(Encoding::kJson, {"ch", proto::Join{info}}, bare);
  EXPECT_EQ(bare, R"({"channel":"ch","join":{"info":{"user":"u","client":"c"}}})");
  bare.clear();
  EncodeBarePush(Encoding::kJson, {"", proto::DisconnectPush{3000, "x"}}, bare);
  EXPECT_EQ(bare, R"({"disconnect":{"code":3000,"reason":"x"}})");
}

TEST(JsonEncode, StringEscapingMatchesProtocolWriter) {
  proto::ReplyError e{1, std::string("a\"b\\c\n\r\t\b\f\x01<>&'/\x7f", 17), false};
  EXPECT_EQ(
      Reply({1, e, {}}),
      R"({"id":1,"error":{"code":1,"message":"a\"b\\c\n\r\t\u0008\u000c\u0001\u003c\u003e\u0026'/)"
      "\x7f\"}}");
  // Valid multi-byte UTF-8 passes through; U+2028/U+2029 and invalid bytes are escaped.
  e.message = "\xC3\xA9\xF0\x9F\x98\x80\xE2\x80\xA8\xE2\x80\xA9\xFF\xC3\xED\xA0\x80";
  EXPECT_EQ(Reply({1, e, {}}),
            "{\"id\":1,\"error\":{\"code\":1,\"message\":\"\xC3\xA9\xF0\x9F\x98\x80"
            "\\u2028\\u2029\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"}}");
}

TEST(JsonEncode, RawNewlinesStripped) {
  proto::Publication p;
  p.data = "{\n  \"a\": \"x\",\n  \"b\": [1,\r\n 2]\n}";
  std::string out;
  EncodePush(Encoding::kJson, {"c", p}, out);
  EXPECT_EQ(out,
            "{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":{  \"a\": \"x\",  \"b\": [1,\r 2]}}}}");
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

TEST(JsonEncode, FramingWithSeparator) {
  std::string frame;
  size_t n = 0;
  AppendSeparator(Encoding::kJson, n++, frame);
  EncodePing(Encoding::kJson, frame);
  AppendSeparator(Encoding::kJson, n++, frame);
  EncodeReply(Encoding::kJson, {1, std::nullopt, proto::PublishResult{}}, frame);
  EXPECT_EQ(frame, "{}\n{\"id\":1,\"publish\":{}}");
}

TEST(JsonHelpers, IsValidJsonPayload) {
  EXPECT_TRUE(IsValidJsonPayload(R"({"a":1})"));
  EXPECT_TRUE(IsValidJsonPayload(" [1, 2] "));
  EXPECT_TRUE(IsValidJsonPayload("\"s\""));
  EXPECT_TRUE(IsValidJsonPayload("null"));
  EXPECT_TRUE(IsValidJsonPayload(""));
  EXPECT_FALSE(IsValidJsonPayload("{"));
  EXPECT_FALSE(IsValidJsonPayload("1 2"));
  EXPECT_FALSE(IsValidJsonPayload("\x01\x02"));
  EXPECT_FALSE(IsValidJsonPayload("hello"));
}

TEST(JsonHelpers, AppendPieces) {
  std::string out;
  AppendClientInfoJson({"u", "c", "", ""}, out);
  EXPECT_EQ(out, R"({"user":"u","client":"c"})");
  out.clear();
  proto::Publication p;
  p.data = "{}";
  p.info = proto::ClientInfo{"u", "c", "1", "2"};
  p.offset = 1;
  p.tags = {{"a", "<b>"}};
  AppendPublicationJson(p, out);
  EXPECT_EQ(out, R"({"data":{},"info":{"user":"u","client":"c","conn_info":1,"chan_info":2},)"
                 R"("offset":1,"tags":{"a":"\u003cb\u003e"}})");
}

}  // namespace
}  // namespace gyre::codec
