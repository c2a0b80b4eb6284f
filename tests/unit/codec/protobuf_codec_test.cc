#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/codec.h"
#include "codec/pb_wire.h"
#include "codec/protocol.h"

namespace gyre::codec {
namespace {

using proto::Encoding;
using namespace std::string_literals;

// Test-side builders for hand-made protobuf input.
std::string Field(uint32_t field, std::string_view body) {
  std::string out;
  pb::AppendBytesAlways(out, field, body);
  return out;
}
std::string VarintField(uint32_t field, uint64_t v) {
  std::string out;
  pb::AppendTag(out, field, pb::kVarint);
  pb::AppendVarint(out, v);
  return out;
}
std::string Delimited(std::string_view message) {
  std::string out;
  pb::AppendVarint(out, message.size());
  out.append(message);
  return out;
}

std::vector<proto::Command> Decode(std::string_view frame) {
  std::vector<proto::Command> out;
  DecodeResult r = DecodeCommands(Encoding::kProtobuf, frame, out);
  EXPECT_EQ(r.status, DecodeStatus::kOk) << r.message;
  return out;
}

void ExpectMalformed(std::string_view frame) {
  std::vector<proto::Command> out;
  DecodeResult r = DecodeCommands(Encoding::kProtobuf, frame, out);
  EXPECT_EQ(r.status, DecodeStatus::kMalformed);
  EXPECT_FALSE(r.message.empty());
}

std::string Reply(const proto::Reply& reply) {
  std::string out;
  EncodeReply(Encoding::kProtobuf, reply, out);
  return out;
}

// ---- wire primitives ----

TEST(PbWire, Varints) {
  std::string out;
  pb::AppendVarint(out, 0);
  pb::AppendVarint(out, 127);
  pb::AppendVarint(out, 128);
  pb::AppendVarint(out, 300);
  pb::AppendVarint(out, UINT64_MAX);
  EXPECT_EQ(out, "\x00\x7f\x80\x01\xac\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s);
  pb::Reader rd(out);
  uint64_t v;
  for (uint64_t want : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, UINT64_MAX}) {
    ASSERT_TRUE(rd.ReadVarint(v));
    EXPECT_EQ(v, want);
  }
  EXPECT_TRUE(rd.done());
  EXPECT_FALSE(rd.ReadVarint(v));
  EXPECT_EQ(pb::VarintSize(UINT64_MAX), 10u);
  EXPECT_EQ(pb::ZigZag64(-1), 1u);
  EXPECT_EQ(pb::ZigZag64(1), 2u);
  EXPECT_EQ(pb::UnZigZag64(pb::ZigZag64(INT64_MIN)), INT64_MIN);
  std::string eleven(10, '\x80');
  eleven.push_back('\x01');
  pb::Reader bad(eleven);
  EXPECT_FALSE(bad.ReadVarint(v));
}

TEST(PbWire, LengthPrefixGrows) {
  std::string out = "x";
  {
    pb::LengthPrefix prefix(out);
    out.append(300, 'a');
  }
  ASSERT_EQ(out.size(), 1u + 2u + 300u);
  EXPECT_EQ(out.substr(0, 3), "x\xac\x02");
}

// ---- decoding ----

TEST(PbDecode, PingPong) {
  auto cmds = Decode("\x00"s);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].id, 0u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(cmds[0].request));
}

TEST(PbDecode, ConnectWithMaps) {
  std::string sub = Field(1, "ignored") + VarintField(3, 1) + VarintField(7, 42) + Field(6, "ep");
  std::string connect = Field(1, "tok") + Field(2, "{\"a\":1}") +
                        Field(3, Field(1, "news") + Field(2, sub)) + Field(4, "go") +
                        Field(5, "1.0") + Field(6, Field(1, "X-H") + Field(2, "v")) +
                        Field(6, Field(1, "Empty")) + VarintField(7, 0);
  std::string cmd = VarintField(1, 1) + Field(4, connect);
  auto cmds = Decode(Delimited(cmd));
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].id, 1u);
  const auto& c = std::get<proto::ConnectRequest>(cmds[0].request);
  EXPECT_EQ(c.token, "tok");
  EXPECT_EQ(c.data, "{\"a\":1}");
  EXPECT_EQ(c.name, "go");
  EXPECT_EQ(c.version, "1.0");
  ASSERT_EQ(c.subs.count("news"), 1u);
  EXPECT_TRUE(c.subs.at("news").recover);
  EXPECT_EQ(c.subs.at("news").offset, 42u);
  EXPECT_EQ(c.subs.at("news").epoch, "ep");
  EXPECT_EQ(c.headers.at("X-H"), "v");
  EXPECT_EQ(c.headers.at("Empty"), "");
}

TEST(PbDecode, EveryRequestTypeInOneFrame) {
  std::string frame;
  std::string subscribe = Field(1, "ch") + Field(2, "t") + VarintField(3, 1) + Field(6, "e") +
                          VarintField(7, 5) + Field(8, "\x01\x02"s) + VarintField(9, 1) +
                          VarintField(10, 1) + VarintField(11, 1) + Field(12, "fossil") +
                          Field(13, Field(1, "and")) + VarintField(14, 3) + VarintField(15, 0);
  frame += Delimited(VarintField(1, 2) + Field(5, subscribe));
  frame += Delimited(VarintField(1, 3) + Field(6, Field(1, "u")));
  frame += Delimited(VarintField(1, 4) + Field(7, Field(1, "p") + Field(2, "bin\x00"s)));
  frame += Delimited(VarintField(1, 5) + Field(8, Field(1, "pr")));
  frame += Delimited(VarintField(1, 6) + Field(9, Field(1, "ps")));
  std::string history = Field(1, "h") + VarintField(7, static_cast<uint64_t>(int64_t{-1})) +
                        Field(8, VarintField(1, 7) + Field(2, "ep")) + VarintField(9, 1);
  frame += Delimited(VarintField(1, 7) + Field(10, history));
  frame += Delimited(VarintField(1, 8) + Field(11, ""));
  frame += Delimited(Field(12, Field(1, "msg")));
  frame += Delimited(VarintField(1, 10) + Field(13, Field(1, "d") + Field(2, "m")));
  frame += Delimited(VarintField(1, 11) + Field(14, Field(1, "rt")));
  frame += Delimited(VarintField(1, 12) + Field(15, Field(1, "c") + Field(2, "st")));
  frame += "\x00"s;
  auto cmds = Decode(frame);
  ASSERT_EQ(cmds.size(), 12u);
  const auto& s = std::get<proto::SubscribeRequest>(cmds[0].request);
  EXPECT_EQ(s.channel, "ch");
  EXPECT_EQ(s.token, "t");
  EXPECT_TRUE(s.recover);
  EXPECT_EQ(s.epoch, "e");
  EXPECT_EQ(s.offset, 5u);
  EXPECT_EQ(s.data, "\x01\x02"s);
  EXPECT_TRUE(s.positioned && s.recoverable && s.join_leave);
  EXPECT_EQ(s.delta, "fossil");
  EXPECT_EQ(s.flag, 3);
  EXPECT_EQ(std::get<proto::UnsubscribeRequest>(cmds[1].request).channel, "u");
  EXPECT_EQ(std::get<proto::PublishRequest>(cmds[2].request).data, "bin\x00"s);
  EXPECT_EQ(std::get<proto::PresenceRequest>(cmds[3].request).channel, "pr");
  EXPECT_EQ(std::get<proto::PresenceStatsRequest>(cmds[4].request).channel, "ps");
  const auto& h = std::get<proto::HistoryRequest>(cmds[5].request);
  EXPECT_EQ(h.limit, -1);
  ASSERT_TRUE(h.since.has_value());
  EXPECT_EQ(h.since->offset, 7u);
  EXPECT_EQ(h.since->epoch, "ep");
  EXPECT_TRUE(h.reverse);
  EXPECT_TRUE(std::holds_alternative<proto::PingRequest>(cmds[6].request));
  EXPECT_EQ(cmds[7].id, 0u);
  EXPECT_EQ(std::get<proto::SendRequest>(cmds[7].request).data, "msg");
  EXPECT_EQ(std::get<proto::RpcRequest>(cmds[8].request).method, "m");
  EXPECT_EQ(std::get<proto::RefreshRequest>(cmds[9].request).token, "rt");
  EXPECT_EQ(std::get<proto::SubRefreshRequest>(cmds[10].request).token, "st");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(cmds[11].request));
}

TEST(PbDecode, SkipsUnknownFieldsOfEveryWireType) {
  std::string unknown;
  unknown += VarintField(100, 12345);
  pb::AppendTag(unknown, 101, pb::kFixed64);
  unknown += "12345678";
  pb::AppendTag(unknown, 102, pb::kFixed32);
  unknown += "1234";
  unknown += Field(103, "whatever");
  pb::AppendTag(unknown, 104, pb::kStartGroup);
  unknown += VarintField(1, 1);
  pb::AppendTag(unknown, 105, pb::kStartGroup);
  pb::AppendTag(unknown, 105, pb::kEndGroup);
  pb::AppendTag(unknown, 104, pb::kEndGroup);
  std::string cmd = unknown + VarintField(1, 9) + Field(7, unknown + Field(1, "c")) + unknown;
  auto cmds = Decode(Delimited(cmd));
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].id, 9u);
  EXPECT_EQ(std::get<proto::PublishRequest>(cmds[0].request).channel, "c");
}

TEST(PbDecode, RepeatedMessageFieldMergesAndScalarLastWins) {
  std::string cmd =
      VarintField(1, 1) + VarintField(1, 2) + Field(5, Field(1, "a")) + Field(5, Field(2, "tok"));
  auto cmds = Decode(Delimited(cmd));
  EXPECT_EQ(cmds[0].id, 2u);
  const auto& s = std::get<proto::SubscribeRequest>(cmds[0].request);
  EXPECT_EQ(s.channel, "a");
  EXPECT_EQ(s.token, "tok");
}

TEST(PbDecode, Malformed) {
  ExpectMalformed("");
  ExpectMalformed("\x05\x08\x01"s);                 // length beyond frame
  ExpectMalformed("\x80"s);                         // truncated length varint
  ExpectMalformed(std::string(11, '\xff'));         // overlong varint
  ExpectMalformed(Delimited("\x08"s));              // truncated id varint
  ExpectMalformed(Delimited("\x08\x80"s));          // truncated id varint
  ExpectMalformed(Delimited("\x2a\x05\x0a\x01"s));  // nested length beyond message
  ExpectMalformed(Delimited("\x00\x01"s));          // field number 0
  ExpectMalformed(Delimited("\x0e\x01"s));          // wire type 6
  ExpectMalformed(Delimited("\x0f\x01"s));          // wire type 7
  ExpectMalformed(Delimited("\x0a\x01\x01"s));      // id as bytes: wrong wire type
  ExpectMalformed(Delimited("\x20\x01"s));          // connect as varint
  ExpectMalformed(Delimited("\x0c"s));              // stray end group
  ExpectMalformed(Delimited("\xa3\x06\x08\x01"s));  // unterminated group
  ExpectMalformed(
      Delimited("\x09"
                "1234567"s));  // truncated fixed64
  ExpectMalformed(
      Delimited("\x0d"
                "123"s));  // truncated fixed32
  // Valid message followed by garbage fails the frame.
  ExpectMalformed(Delimited(VarintField(1, 1)) + "\x03\x08"s);
}

// ---- encoding ----

TEST(PbEncode, Ping) {
  std::string out;
  EncodePing(Encoding::kProtobuf, out);
  EXPECT_EQ(out, "\x00"s);
}

TEST(PbEncode, EmptyResultsArePresent) {
  EXPECT_EQ(Reply({1, std::nullopt, proto::PublishResult{}}), "\x04\x08\x01\x42\x00"s);
  EXPECT_EQ(Reply({1, std::nullopt, proto::UnsubscribeResult{}}), "\x04\x08\x01\x3a\x00"s);
  EXPECT_EQ(Reply({}), "\x00"s);
  // Presence stats zeros are omitted in protobuf (proto3), unlike JSON.
  EXPECT_EQ(Reply({2, std::nullopt, proto::PresenceStatsResult{}}), "\x04\x08\x02\x52\x00"s);
  EXPECT_EQ(Reply({2, std::nullopt, proto::PresenceStatsResult{3, 1}}),
            "\x08\x08\x02\x52\x04\x08\x03\x10\x01"s);
}

TEST(PbEncode, Error) {
  EXPECT_EQ(Reply({3, proto::ReplyError{103, "permission denied", false}, {}}),
            "\x19\x08\x03\x12\x15\x08\x67\x12\x11permission denied"s);
  EXPECT_EQ(Reply({3, proto::ReplyError{100, "x", true}, {}}),
            "\x0b\x08\x03\x12\x07\x08\x64\x12\x01x\x18\x01"s);
}

TEST(PbEncode, PublicationPush) {
  proto::Publication p;
  p.data = "{}";
  p.offset = 300;
  p.info = proto::ClientInfo{"u", "c", "", ""};
  p.tags = {{"k", "v"}};
  p.delta = true;
  p.time = 5;  // never sent
  std::string out;
  EncodePush(Encoding::kProtobuf, {"ch", p}, out);
  std::string info = "\x0a\x01u\x12\x01"s + "c";
  std::string pub = "\x22\x02{}"s + "\x2a" + char(info.size()) + info + "\x30\xac\x02"s +
                    "\x3a\x06\x0a\x01k\x12\x01v"s + "\x40\x01"s;
  std::string push =
      "\x12\x02"
      "ch"s +
      "\x22" + char(pub.size()) + pub;
  std::string reply = "\x22"s + char(push.size()) + push;
  EXPECT_EQ(out, char(reply.size()) + reply);
}

TEST(PbEncode, PushTypes) {
  auto enc = [](const proto::Push& p) {
    std::string out;
    EncodePush(Encoding::kProtobuf, p, out);
    return out;
  };
  EXPECT_EQ(enc({"", proto::Unsubscribe{2500, "r"}}), "\x0a\x22\x08\x3a\x06\x10\xc4\x13\x1a\x01r"s);
  EXPECT_EQ(enc({"", proto::DisconnectPush{3000, "x"}}),
            "\x0a\x22\x08\x5a\x06\x08\xb8\x17\x12\x01x"s);
  EXPECT_EQ(enc({"", proto::RefreshPush{true, 5}}), "\x08\x22\x06\x62\x04\x08\x01\x10\x05"s);
  EXPECT_EQ(enc({"", proto::Message{"m"}}), "\x07\x22\x05\x42\x03\x0a\x01m"s);
  EXPECT_EQ(enc({"", proto::Join{{"u", "", "", ""}}}), "\x09\x22\x07\x2a\x05\x0a\x03\x0a\x01u"s);
  EXPECT_EQ(enc({"", proto::Leave{{"u", "", "", ""}}}), "\x09\x22\x07\x32\x05\x0a\x03\x0a\x01u"s);
  EXPECT_EQ(enc({"", proto::Subscribe{true, "e", 2, true, "d"}}),
            "\x10\x22\x0e\x4a\x0c\x08\x01\x22\x01"
            "e\x28\x02\x30\x01\x3a\x01"
            "d"s);
  proto::ConnectResult c;
  c.client = "c";
  c.expires = true;
  c.data = "d";
  EXPECT_EQ(enc({"", c}),
            "\x0c\x22\x0a\x52\x08\x0a\x01"
            "c\x1a\x01"
            "d\x28\x01"s);
  std::string bare;
  EncodeBarePush(Encoding::kProtobuf, {"ch", proto::Message{"m"}}, bare);
  EXPECT_EQ(bare,
            "\x09\x12\x02"
            "ch\x42\x03\x0a\x01m"s);
}

TEST(PbEncode, ConnectResult) {
  proto::ConnectResult c;
  c.client = "c";
  c.version = "v";
  c.expires = true;
  c.ttl = 1;
  c.data = "d";
  c.subs["s"] = proto::SubscribeResult{};
  c.ping = 25;
  c.pong = true;
  c.session = "se";
  c.node = "n";
  c.time = 2;
  std::string body =
      "\x0a\x01"
      "c\x12\x01v\x18\x01\x20\x01\x2a\x01"
      "d"s +
      "\x32\x05\x0a\x01s\x12\x00"s + "\x38\x19\x40\x01\x4a\x02se\x52\x01n\x58\x02"s;
  std::string reply = "\x08\x07\x2a"s + char(body.size()) + body;
  EXPECT_EQ(Reply({7, std::nullopt, c}), char(reply.size()) + reply);
}

TEST(PbEncode, HistoryPresenceSubscribe) {
  proto::HistoryResult h;
  h.publications.resize(2);
  h.publications[0].data = "a";
  h.epoch = "e";
  h.offset = 1;
  EXPECT_EQ(Reply({1, std::nullopt, h}),
            "\x10\x08\x01\x5a\x0c\x0a\x03\x22\x01"
            "a\x0a\x00\x12\x01"
            "e\x18\x01"s);
  proto::PresenceResult pr;
  pr.presence["c"] = proto::ClientInfo{"u", "c", "", ""};
  EXPECT_EQ(Reply({1, std::nullopt, pr}),
            "\x11\x08\x01\x4a\x0d\x0a\x0b\x0a\x01"
            "c\x12\x06\x0a\x01u\x12\x01"
            "c"s);
  proto::SubscribeResult s;
  s.expires = true;
  s.ttl = 2;
  s.recoverable = true;
  s.epoch = "e";
  s.publications.resize(1);
  s.recovered = true;
  s.offset = 3;
  s.positioned = true;
  s.data = "d";
  s.was_recovering = true;
  s.delta = true;
  EXPECT_EQ(Reply({1, std::nullopt, s}),
            "\x1c\x08\x01\x32\x18\x08\x01\x10\x02\x18\x01\x32\x01"
            "e\x3a\x00\x40\x01\x48\x03"
            "\x50\x01\x5a\x01"
            "d\x60\x01\x68\x01"s);
}

TEST(PbEncode, LargePayloadUsesMultiByteLengths) {
  proto::Publication p;
  p.data.assign(20000, 'x');
  std::string out;
  EncodePush(Encoding::kProtobuf, {"c", p}, out);
  pb::Reader rd(out);
  std::string_view reply;
  ASSERT_TRUE(rd.ReadLen(reply));
  EXPECT_TRUE(rd.done());
  pb::Reader r2(reply);
  uint32_t f;
  pb::WireType t;
  ASSERT_TRUE(r2.ReadTag(f, t));
  EXPECT_EQ(f, 4u);
  std::string_view push;
  ASSERT_TRUE(r2.ReadLen(push));
  EXPECT_TRUE(r2.done());
  EXPECT_NE(push.find(p.data), std::string_view::npos);
}

TEST(PbEncode, FramingConcatenates) {
  std::string frame;
  size_t n = 0;
  AppendSeparator(Encoding::kProtobuf, n++, frame);
  EncodePing(Encoding::kProtobuf, frame);
  AppendSeparator(Encoding::kProtobuf, n++, frame);
  EncodeReply(Encoding::kProtobuf, {1, std::nullopt, proto::PublishResult{}}, frame);
  EXPECT_EQ(frame, "\x00\x04\x08\x01\x42\x00"s);
}

}  // namespace
}  // namespace gyre::codec
