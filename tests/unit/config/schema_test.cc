// Scalar parsing (durations, booleans), the key tables, and genconfig output.
#include "config/schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <set>

#include "base/util.h"
#include "config/loader.h"

namespace gyre::config {
namespace {

using namespace std::chrono_literals;
using schema::ParseBool;
using schema::ParseDuration;

TEST(SchemaTest, Durations) {
  EXPECT_EQ(ParseDuration("25s"), Duration(25s));
  EXPECT_EQ(ParseDuration("720h"), Duration(720h));
  EXPECT_EQ(ParseDuration("1000ms"), Duration(1000ms));
  EXPECT_EQ(ParseDuration("1m30s"), Duration(90s));
  EXPECT_EQ(ParseDuration("1h2m3.5s"), Duration(3723500ms));
  EXPECT_EQ(ParseDuration("0.3s"), Duration(300ms));
  EXPECT_EQ(ParseDuration("1500us"), Duration(1ms));
  EXPECT_EQ(ParseDuration("2000000ns"), Duration(2ms));
  EXPECT_EQ(ParseDuration("+5s"), Duration(5s));
  EXPECT_EQ(ParseDuration("0"), Duration(0));
  EXPECT_EQ(ParseDuration("30"), Duration(30s));  // plain number: seconds
  EXPECT_EQ(ParseDuration("1.5"), Duration(1500ms));
  for (std::string_view bad : {"", "s", "-5s", "5 s", "5x", "1h30", "1..5s", "abc", "5s "}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(SchemaTest, GoParseBoolSet) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_EQ(ParseBool(t), true);
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    EXPECT_EQ(ParseBool(f), false);
  }
  for (std::string_view bad : {"", "yes", "on", "tRUE", "2"})
    EXPECT_EQ(ParseBool(bad), std::nullopt);
}

TEST(SchemaTest, TablesHaveUniqueKeysAndEnvNames) {
  std::set<std::string_view> v6;
  std::set<std::string_view> v5;
  for (const schema::Field& f : schema::Fields()) {
    EXPECT_TRUE(v6.insert(f.v6).second) << f.v6;
    if (!f.v5.empty()) {
      EXPECT_TRUE(v5.insert(f.v5).second) << f.v5;
    }
    EXPECT_FALSE(schema::IsSection(f.v6)) << f.v6;
    EXPECT_FALSE(schema::FindOption(f.v5) != nullptr) << f.v5;
  }
  // A v5 key must not shadow a different v6 top-level key.
  for (std::string_view key : v5) {
    if (v6.contains(key)) {
      EXPECT_EQ(schema::FindV5(key), schema::FindV6(key)) << key;
    }
  }
  EXPECT_TRUE(schema::IsSection("client"));
  EXPECT_TRUE(schema::IsSection("client.token"));
  EXPECT_TRUE(schema::IsSection("engine.redis"));
  EXPECT_TRUE(schema::IsSection("channel.without_namespace"));
  EXPECT_FALSE(schema::IsSection("client.tokne"));
}

// Environment names are upper-cased keys with `.` -> `_`; two keys naming one variable must
// mean the same field.
TEST(SchemaTest, EnvNamesDoNotCollide) {
  Config config;
  auto address = [](const schema::Target& t) {
    return std::visit([](auto* p) { return static_cast<const void*>(p); }, t);
  };
  auto env_name = [](std::string_view key) {
    std::string out(key);
    for (char& c : out) c = c == '.' ? '_' : static_cast<char>(std::toupper(c));
    return out;
  };
  std::map<std::string, const void*> seen;
  auto add = [&](std::string_view key, const void* target) {
    auto [it, inserted] = seen.emplace(env_name(key), target);
    EXPECT_TRUE(inserted || it->second == target) << key;
  };
  for (const schema::Field& f : schema::Fields()) {
    add(f.v6, address(f.get(config)));
    if (!f.v5.empty()) add(f.v5, address(f.get(config)));
  }
  for (const schema::OptionField& o : schema::OptionFields()) {
    const void* target = address(o.get(config.channel.without_namespace));
    add(o.name, target);
    add("channel.without_namespace." + std::string(o.name), target);
  }
}

TEST(GenConfigTest, V6FormWithRandomSecrets) {
  std::string text = GenerateV6Config();
  boost::json::value doc = boost::json::parse(text);
  const auto& root = doc.as_object();
  EXPECT_EQ(root.size(), 3u);
  auto secret = [&](std::initializer_list<std::string_view> path) {
    const boost::json::value* v = &doc;
    for (std::string_view key : path) v = &v->as_object().at(key);
    return std::string(v->as_string());
  };
  std::string token = secret({"client", "token", "hmac_secret_key"});
  std::string key = secret({"http_api", "key"});
  std::string admin_secret = secret({"admin", "secret"});
  std::string password = secret({"admin", "password"});
  for (const std::string& s : {token, key, admin_secret}) {
    EXPECT_EQ(s.size(), 86u);  // 64 bytes, base64url without padding
    ASSERT_TRUE(Base64Decode(s).has_value());
    EXPECT_EQ(Base64Decode(s)->size(), 64u);
    EXPECT_EQ(s.find_first_of("+/="), std::string::npos);
  }
  EXPECT_EQ(password.size(), 22u);  // 16 bytes
  EXPECT_EQ(Base64Decode(password)->size(), 16u);
  EXPECT_NE(token, key);
  EXPECT_NE(token, secret({"client", "token", "hmac_secret_key"}) + "x");
  EXPECT_EQ(doc.at("admin").at("enabled"), false);
  EXPECT_TRUE(doc.at("client").at("allowed_origins").as_array().empty());
  EXPECT_NE(GenerateV6Config(), text);

  // The generated file loads cleanly and validates.
  auto r = LoadJson(text, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->config.client.token.hmac_secret_key, token);
  EXPECT_EQ(r->config.http_api.key, key);
  EXPECT_EQ(r->config.admin.password, password);
  EXPECT_FALSE(r->config.admin.enabled);
  EXPECT_TRUE(Validate(r->config).ok());
}

}  // namespace
}  // namespace gyre::config
