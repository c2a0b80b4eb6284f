// Helpers for config tests: load-or-fail, error text, and a full dump of Config for equality.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/loader.h"
#include "config/schema.h"

namespace gyre::config::test_util {

inline LoadResult MustLoad(std::string_view json, const Sources& sources = {}) {
  auto r = LoadJson(json, sources);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r.value()) : LoadResult{};
}

// The error message of a load expected to fail ("" when it succeeded).
inline std::string ErrorOf(std::string_view json, const Sources& sources = {}) {
  auto r = LoadJson(json, sources);
  EXPECT_FALSE(r.ok()) << json;
  return r.ok() ? std::string() : r.error().message;
}

inline std::string ValidateError(const Config& config) {
  auto r = Validate(config);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

inline void DumpTarget(std::string& out, std::string_view name, const schema::Target& target) {
  out += name;
  out += '=';
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out += *p;
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          for (const auto& s : *p) out += s + "|";
        } else if constexpr (std::is_same_v<T, Duration>) {
          out += std::to_string(p->count()) + "ms";
        } else {
          out += std::to_string(*p);
        }
      },
      target);
  out += '\n';
}

inline void DumpOptions(std::string& out, std::string_view prefix, ChannelOptions options) {
  for (const schema::OptionField& o : schema::OptionFields()) {
    DumpTarget(out, std::string(prefix) + "." + std::string(o.name), o.get(options));
  }
}

// Every field the loader knows, one `key=value` line each; equal text means equal config.
inline std::string ConfigJson(Config config) {
  std::string out;
  for (const schema::Field& f : schema::Fields()) DumpTarget(out, f.v6, f.get(config));
  DumpOptions(out, "channel.without_namespace", config.channel.without_namespace);
  for (const Namespace& ns : config.channel.namespaces) {
    DumpOptions(out, "channel.namespaces[" + ns.name + "]", ns.options);
  }
  return out;
}

}  // namespace gyre::config::test_util
