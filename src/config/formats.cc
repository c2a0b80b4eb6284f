// Config file formats, each turned into one JSON document for the decoder.
//
// YAML needs yaml-cpp (Debian libyaml-cpp-dev) and TOML the header-only cpptoml (Debian
// libcpptoml-dev); without them the format reports that it is not supported by this build.
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "config/loader_internal.h"

#if __has_include(<yaml-cpp/yaml.h>)
#define GYRE_CONFIG_YAML 1
#include <yaml-cpp/yaml.h>
#endif
#if __has_include(<cpptoml.h>)
#define GYRE_CONFIG_TOML 1
#include <cpptoml.h>
#endif

namespace gyre::config::internal {
namespace {

namespace json = boost::json;

std::string Position(size_t line, size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

#ifdef GYRE_CONFIG_YAML
// YAML 1.2 core schema for untagged plain scalars; quoted scalars stay strings.
json::value YamlScalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() != "?") return json::string(s);
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  const char* end = s.data() + s.size();
  int64_t i = 0;
  std::string_view digits = s[0] == '+' ? std::string_view(s).substr(1) : std::string_view(s);
  if (digits.empty()) return json::string(s);
  if (auto [p, ec] = std::from_chars(digits.data(), end, i); ec == std::errc() && p == end) {
    return i;
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    if (auto [p, ec] = std::from_chars(s.data() + 2, end, i, s[1] == 'x' ? 16 : 8);
        ec == std::errc() && p == end) {
      return i;
    }
  }
  double d = 0;
  bool numeric_start =
      std::isdigit(static_cast<unsigned char>(digits[0])) || digits[0] == '-' || digits[0] == '.';
  if (auto [p, ec] = std::from_chars(digits.data(), end, d);
      numeric_start && ec == std::errc() && p == end && std::isfinite(d)) {
    return d;
  }
  return json::string(s);
}

json::value YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return YamlScalar(node);
    case YAML::NodeType::Sequence: {
      json::array out;
      for (const YAML::Node& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json::object out;
      for (const auto& item : node) out[item.first.as<std::string>()] = YamlToJson(item.second);
      return out;
    }
  }
  return nullptr;
}
#endif

#ifdef GYRE_CONFIG_TOML
json::value TomlToJson(const std::shared_ptr<cpptoml::base>& node) {
  if (node->is_table()) {
    json::object out;
    for (const auto& [key, child] : *node->as_table()) out[key] = TomlToJson(child);
    return out;
  }
  if (node->is_table_array()) {
    json::array out;
    for (const auto& table : node->as_table_array()->get()) out.push_back(TomlToJson(table));
    return out;
  }
  if (node->is_array()) {
    json::array out;
    for (const auto& item : node->as_array()->get()) out.push_back(TomlToJson(item));
    return out;
  }
  if (auto v = node->as<std::string>()) return json::string(v->get());
  if (auto v = node->as<int64_t>()) return v->get();
  if (auto v = node->as<double>()) return v->get();
  if (auto v = node->as<bool>()) return v->get();
  // Dates and times keep their TOML text.
  std::ostringstream text;
  if (auto v = node->as<cpptoml::offset_datetime>()) {
    text << v->get();
  } else if (auto v = node->as<cpptoml::local_datetime>()) {
    text << v->get();
  } else if (auto v = node->as<cpptoml::local_date>()) {
    text << v->get();
  } else if (auto v = node->as<cpptoml::local_time>()) {
    text << v->get();
  }
  return json::string(text.str());
}
#endif

}  // namespace

Result<json::value> ParseJson(std::string_view text) {
  json::stream_parser parser;
  boost::system::error_code ec;
  size_t offset = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (!ec) return parser.release();
  offset = std::min(offset, text.size());
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return Error{0,
               "invalid JSON at " + Position(line, offset - line_start + 1) + ": " + ec.message()};
}

Result<json::value> ParseYaml(std::string_view text) {
#ifdef GYRE_CONFIG_YAML
  try {
    return YamlToJson(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    return Error{0,
                 "invalid YAML at " + Position(e.mark.line + 1, e.mark.column + 1) + ": " + e.msg};
  }
#else
  return Error{0, "YAML config is not supported by this build (needs yaml-cpp)"};
#endif
}

Result<json::value> ParseToml(std::string_view text) {
#ifdef GYRE_CONFIG_TOML
  try {
    std::istringstream in{std::string(text)};
    cpptoml::parser parser(in);
    return TomlToJson(parser.parse());
  } catch (const cpptoml::parse_exception& e) {
    return Error{0, std::string("invalid TOML: ") + e.what()};
  }
#else
  return Error{0, "TOML config is not supported yet"};
#endif
}

}  // namespace gyre::config::internal
