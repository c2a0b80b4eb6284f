// force_recovery_mode "cache": a resubscribing client gets only the latest publication.
#include <gtest/gtest.h>

#include "config/loader.h"
#include "core_test_util.h"

namespace gyre::core::testing {
namespace {

class CacheRecovery : public ::testing::Test {
 protected:
  CacheRecovery() : h_(Config()) {}

  static config::Config Config() {
    config::Config c = BaseConfig();
    auto& o = AddNamespace(c, "state");
    o.history_size = 10;
    o.history_ttl = std::chrono::seconds(60);
    o.force_recovery = true;
    o.force_recovery_mode = "cache";
    o.allow_subscribe_for_client = true;
    return c;
  }

  void Publish(int n) {
    proto::Publication pub;
    pub.data = "{\"n\":" + std::to_string(n) + "}";
    h_.node().Publish("state:1", std::move(pub),
                      h_.node().OptionsFor(*config::FindNamespace(h_.config(), "state")),
                      [](auto) {});
    h_.loop().RunPosted();
  }

  Harness h_;
};

TEST_F(CacheRecovery, OnlyTheLatestPublicationIsRecovered) {
  Conn& c = h_.Connected("42");
  std::string first = Harness::Subscribe(c, 2, "state:1");
  std::string epoch = StringField(first, "subscribe.epoch");
  for (int i = 1; i <= 4; ++i) Publish(i);
  c.Take();
  std::string reply = Harness::Subscribe(h_.Connected("43"), 2, "state:1",
                                         R"("recover":true,"offset":1,"epoch":")" + epoch + "\"");
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "true") << reply;
  auto pubs = ArrayField(reply, "subscribe.publications");
  ASSERT_EQ(pubs.size(), 1u);
  EXPECT_EQ(IntField(pubs[0], "offset"), 4);
  EXPECT_EQ(Field(pubs[0], "data"), R"({"n":4})");
}

TEST_F(CacheRecovery, AtTheTopNothingIsSentAndItIsRecovered) {
  Conn& c = h_.Connected("42");
  std::string first = Harness::Subscribe(c, 2, "state:1");
  std::string epoch = StringField(first, "subscribe.epoch");
  Publish(1);
  std::string reply = Harness::Subscribe(h_.Connected("43"), 2, "state:1",
                                         R"("recover":true,"offset":1,"epoch":")" + epoch + "\"");
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "true") << reply;
  EXPECT_TRUE(ArrayField(reply, "subscribe.publications").empty());
}

TEST_F(CacheRecovery, NothingPublishedIsNotRecovered) {
  std::string reply = Harness::Subscribe(h_.Connected("43"), 2, "state:1",
                                         R"("recover":true,"offset":3,"epoch":"abcdefgh")");
  EXPECT_EQ(Field(reply, "subscribe.recovered"), "") << reply;
  EXPECT_EQ(Field(reply, "subscribe.was_recovering"), "true") << reply;
}

}  // namespace
}  // namespace gyre::core::testing
