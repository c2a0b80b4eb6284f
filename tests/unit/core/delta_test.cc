// Fossil delta compression (spec §4.6, §1.8): negotiation, the full/delta variants of a
// publication, and recovery of a delta subscription.
#include <gtest/gtest.h>

#include "codec/fossil.h"
#include "config/loader.h"
#include "core_test_util.h"

namespace gyre::core::testing {
namespace {

// Applies a fossil delta (enough of the format for these tests: copies and inserts).
std::string ApplyDelta(std::string_view source, std::string_view delta) {
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    if (c == '_') return 36;
    if (c >= 'a' && c <= 'z') return c - 'a' + 37;
    if (c == '~') return 63;
    return -1;
  };
  size_t pos = 0;
  auto num = [&] {
    uint32_t v = 0;
    while (pos < delta.size() && digit(delta[pos]) >= 0) v = (v << 6) | digit(delta[pos++]);
    return v;
  };
  num();
  ++pos;  // '\n'
  std::string out;
  while (pos < delta.size()) {
    uint32_t n = num();
    char op = delta[pos++];
    if (op == '@') {
      uint32_t off = num();
      ++pos;  // ','
      out.append(source.substr(off, n));
    } else if (op == ':') {
      out.append(delta.substr(pos, n));
      pos += n;
    } else {
      EXPECT_EQ(n, codec::FossilChecksum(out));
      break;
    }
  }
  return out;
}

std::string Payload(int n) {
  return R"({"text":"a long enough message so that a delta is smaller than it","n":)" +
         std::to_string(n) + "}";
}

class Delta : public ::testing::Test {
 protected:
  Delta() : h_(Config()) {}

  static config::Config Config() {
    config::Config c = BaseConfig();
    auto& d = AddNamespace(c, "d");
    d.allow_subscribe_for_client = true;
    d.allowed_delta_types = {"fossil"};
    d.history_size = 10;
    d.history_ttl = std::chrono::seconds(60);
    d.force_recovery = true;
    d.allow_history_for_subscriber = true;
    auto& np = AddNamespace(c, "np");  // delta allowed, no history
    np.allow_subscribe_for_client = true;
    np.allowed_delta_types = {"fossil"};
    auto& dp = AddNamespace(c, "dp");  // every publication is delta-eligible
    dp.allow_subscribe_for_client = true;
    dp.allowed_delta_types = {"fossil"};
    dp.delta_publish = true;
    dp.history_size = 10;
    dp.history_ttl = std::chrono::seconds(60);
    dp.force_positioning = true;
    auto& plain = AddNamespace(c, "plain");
    plain.allow_subscribe_for_client = true;
    return c;
  }

  StreamPosition Publish(std::string_view channel, std::string data, bool delta) {
    auto info = h_.node().rules().Resolve(channel);
    proto::Publication pub;
    pub.data = std::move(data);
    pub.delta = delta || info->options->delta_publish;
    StreamPosition pos;
    h_.node().Publish(channel, std::move(pub), h_.node().OptionsFor(*info->options),
                      [&](Result<StreamPosition> r) { pos = *r; });
    h_.RunAll();
    return pos;
  }

  Harness h_;
};

TEST_F(Delta, NegotiatedOnlyWhereAllowed) {
  Conn& c = h_.Connected("1");
  EXPECT_EQ(Field(Harness::Subscribe(c, 2, "d:1", R"("delta":"fossil")"), "subscribe.delta"),
            "true");
  EXPECT_EQ(Field(Harness::Subscribe(c, 3, "plain:1", R"("delta":"fossil")"), "subscribe.delta"),
            "");
  EXPECT_EQ(Field(Harness::Subscribe(c, 4, "d:2"), "subscribe.delta"), "");
}

TEST_F(Delta, UnknownTypeIsBadRequest) {
  Conn& c = h_.Connected("1");
  c.Send(R"({"id":2,"subscribe":{"channel":"d:1","delta":"xdelta"}})");
  ASSERT_TRUE(c.transport.closed.has_value());
  EXPECT_EQ(c.transport.closed->code, 3501);
}

TEST_F(Delta, FirstFullThenDeltasAsJsonStrings) {
  Conn& c = h_.Connected("1");
  Harness::Subscribe(c, 2, "d:1", R"("delta":"fossil")");
  Conn& other = h_.Connected("2");  // a plain subscriber of the same channel
  Harness::Subscribe(other, 2, "d:1");
  for (int i = 1; i <= 3; ++i) Publish("d:1", Payload(i), true);

  auto got = c.Take();
  ASSERT_EQ(got.size(), 3u);
  // First: full payload as a JSON string, no delta flag.
  EXPECT_EQ(StringField(got[0], "push.pub.data"), Payload(1)) << got[0];
  EXPECT_EQ(Field(got[0], "push.pub.delta"), "");
  // Then: deltas against the previous payload.
  std::string prev = Payload(1);
  for (int i = 2; i <= 3; ++i) {
    const std::string& m = got[static_cast<size_t>(i - 1)];
    EXPECT_EQ(Field(m, "push.pub.delta"), "true") << m;
    std::string delta = StringField(m, "push.pub.data");
    EXPECT_LT(delta.size(), Payload(i).size());
    EXPECT_EQ(ApplyDelta(prev, delta), Payload(i));
    EXPECT_EQ(IntField(m, "push.pub.offset"), i);
    prev = Payload(i);
  }
  // The plain subscriber gets raw JSON data.
  auto plain = other.Take();
  ASSERT_EQ(plain.size(), 3u);
  EXPECT_EQ(Field(plain[2], "push.pub.data"), Payload(3));
  EXPECT_EQ(Field(plain[2], "push.pub.delta"), "");
}

TEST_F(Delta, NotRequestedMeansFull) {
  Conn& c = h_.Connected("1");
  Harness::Subscribe(c, 2, "d:1", R"("delta":"fossil")");
  Publish("d:1", Payload(1), false);
  Publish("d:1", Payload(2), false);
  Publish("d:1", Payload(3), true);  // base is publication 2, even though it was not delta
  auto got = c.Take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(StringField(got[1], "push.pub.data"), Payload(2));
  EXPECT_EQ(Field(got[1], "push.pub.delta"), "");
  EXPECT_EQ(Field(got[2], "push.pub.delta"), "true");
  EXPECT_EQ(ApplyDelta(Payload(2), StringField(got[2], "push.pub.data")), Payload(3));
}

TEST_F(Delta, NamespaceDeltaPublish) {
  Conn& c = h_.Connected("1");
  Harness::Subscribe(c, 2, "dp:1", R"("delta":"fossil")");
  Publish("dp:1", Payload(1), false);
  Publish("dp:1", Payload(2), false);
  auto got = c.Take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(Field(got[1], "push.pub.delta"), "true");
}

TEST_F(Delta, NotSmallerMeansFull) {
  Conn& c = h_.Connected("1");
  Harness::Subscribe(c, 2, "d:1", R"("delta":"fossil")");
  Publish("d:1", R"({"a":"0123456789abcdefghij"})", true);
  Publish("d:1", R"({"b":"zyxwvutsrqponmlkjihg"})", true);
  auto got = c.Take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(StringField(got[1], "push.pub.data"), R"({"b":"zyxwvutsrqponmlkjihg"})");
  EXPECT_EQ(Field(got[1], "push.pub.delta"), "");
}

TEST_F(Delta, WithoutHistoryEveryPublicationIsFull) {
  Conn& c = h_.Connected("1");
  Harness::Subscribe(c, 2, "np:1", R"("delta":"fossil")");
  for (int i = 1; i <= 3; ++i) Publish("np:1", Payload(i), true);
  auto got = c.Take();
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(StringField(got[static_cast<size_t>(i)], "push.pub.data"), Payload(i + 1));
    EXPECT_EQ(Field(got[static_cast<size_t>(i)], "push.pub.delta"), "");
  }
}

TEST_F(Delta, LateSubscriberStartsFull) {
  Conn& a = h_.Connected("1");
  Harness::Subscribe(a, 2, "d:1", R"("delta":"fossil")");
  Publish("d:1", Payload(1), true);
  Conn& b = h_.Connected("2");
  Harness::Subscribe(b, 2, "d:1", R"("delta":"fossil")");
  Publish("d:1", Payload(2), true);
  Publish("d:1", Payload(3), true);
  auto got_a = a.Take();
  auto got_b = b.Take();
  ASSERT_EQ(got_a.size(), 3u);
  ASSERT_EQ(got_b.size(), 2u);
  EXPECT_EQ(Field(got_a[1], "push.pub.delta"), "true");
  EXPECT_EQ(Field(got_b[0], "push.pub.delta"), "");
  EXPECT_EQ(StringField(got_b[0], "push.pub.data"), Payload(2));
  // Both then share the same encoded delta.
  EXPECT_EQ(got_a[2], got_b[1]);
  EXPECT_EQ(Field(got_b[1], "push.pub.delta"), "true");
}

TEST_F(Delta, VariantsAreEncodedOnce) {
  Conn& a = h_.Connected("1");
  Conn& b = h_.Connected("2");
  Harness::Subscribe(a, 2, "d:1", R"("delta":"fossil")");
  Harness::Subscribe(b, 2, "d:1", R"("delta":"fossil")");
  Publish("d:1", Payload(1), true);
  Publish("d:1", Payload(2), true);
  ASSERT_EQ(a.transport.shared.size(), 2u);
  ASSERT_EQ(b.transport.shared.size(), 2u);
  EXPECT_EQ(a.transport.shared[0].get(), b.transport.shared[0].get());
  EXPECT_EQ(a.transport.shared[1].get(), b.transport.shared[1].get());
}

TEST_F(Delta, ProtobufCarriesRawBytes) {
  Conn& c = h_.NewConn(0, proto::Encoding::kProtobuf);
  c.Send(PbConnect(1, Harness::Token("1")));
  c.Take();
  std::string req;
  PbBytes(req, 1, "d:1");
  PbBytes(req, 12, "fossil");
  c.Send(PbCommandFrame(2, 5, req));
  c.Take();
  Publish("d:1", Payload(1), true);
  Publish("d:1", Payload(2), true);
  auto got = c.Take();
  ASSERT_EQ(got.size(), 2u);
  // The full publication carries the payload bytes as they are; the delta its fossil bytes.
  EXPECT_NE(got[0].find(Payload(1)), std::string::npos);
  std::string patch = codec::FossilDelta(Payload(1), Payload(2));
  EXPECT_NE(got[1].find(patch), std::string::npos);
}

TEST_F(Delta, RecoveryFirstFullThenDeltas) {
  Conn& a = h_.Connected("1");
  std::string first = Harness::Subscribe(a, 2, "d:1", R"("delta":"fossil")");
  std::string epoch = StringField(first, "subscribe.epoch");
  for (int i = 1; i <= 3; ++i) Publish("d:1", Payload(i), true);
  Conn& b = h_.Connected("2");
  std::string reply = Harness::Subscribe(
      b, 2, "d:1", R"("delta":"fossil","recover":true,"offset":0,"epoch":")" + epoch + "\"");
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "true") << reply;
  EXPECT_EQ(Field(reply, "subscribe.delta"), "true") << reply;
  auto pubs = ArrayField(reply, "subscribe.publications");
  ASSERT_EQ(pubs.size(), 3u);
  EXPECT_EQ(StringField(pubs[0], "data"), Payload(1));
  EXPECT_EQ(Field(pubs[0], "delta"), "");
  EXPECT_EQ(Field(pubs[1], "delta"), "true");
  EXPECT_EQ(ApplyDelta(Payload(1), StringField(pubs[1], "data")), Payload(2));
  EXPECT_EQ(ApplyDelta(Payload(2), StringField(pubs[2], "data")), Payload(3));
  // After a recovery live publications are deltas at once.
  Publish("d:1", Payload(4), true);
  std::string live = b.TakeOne();
  EXPECT_EQ(Field(live, "push.pub.delta"), "true") << live;
  EXPECT_EQ(ApplyDelta(Payload(3), StringField(live, "push.pub.data")), Payload(4));
}

TEST_F(Delta, HistoryDoesNotShowTheDeltaRequest) {
  Conn& c = h_.Connected("1");
  Harness::Subscribe(c, 2, "d:1", R"("delta":"fossil")");
  Publish("d:1", Payload(1), true);
  c.Take();
  c.Send(R"({"id":3,"history":{"channel":"d:1","limit":10}})");
  std::string reply = c.TakeOne();
  auto pubs = ArrayField(reply, "history.publications");
  ASSERT_EQ(pubs.size(), 1u) << reply;
  EXPECT_EQ(Field(pubs[0], "delta"), "");
  EXPECT_EQ(Field(pubs[0], "data"), Payload(1));
}

}  // namespace
}  // namespace gyre::core::testing
