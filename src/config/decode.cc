// Decoding a configuration document (v5 flat or v6 nested keys) onto Config.
//
// Dialects are told apart key by key, so a document may mix them: a top-level key that is a v5
// flat key is read as v5 unless it is also a v6 section and holds an object (`admin: true` is
// v5, `admin: {...}` is v6; likewise `engine`, `health`, `prometheus`).
#include <boost/json.hpp>

#include "config/loader_internal.h"
#include "config/schema.h"

namespace gyre::config::internal {
namespace {

namespace json = boost::json;

// Turns `expected boolean, got string "x"` into `expected boolean or object, got string "x"`
// for keys that are a v5 value and a v6 section at once.
std::string OrObject(std::string what) {
  size_t comma = what.find(", got ");
  if (comma != std::string::npos) what.insert(comma, " or object");
  return what;
}

class Decoder {
 public:
  Decoder(Config& config, std::vector<std::string>& warnings)
      : config_(config), warnings_(warnings) {}

  Result<bool> Root(const json::value& root) {
    if (root.is_null()) return true;  // an empty YAML document
    if (!root.is_object()) {
      return Error{0, "config: expected an object at top level, got " + schema::Describe(root)};
    }
    for (const auto& [k, v] : root.get_object()) {
      std::string key(k);
      const schema::Field* v5 = schema::FindV5(key);
      bool section = schema::IsSection(key);
      if (v5 != nullptr && !(section && v.is_object())) {
        if (auto err = schema::AssignJson(v5->kind, v5->get(config_), v)) {
          return KeyError(key, section ? OrObject(*err) : *err);
        }
      } else if (const schema::OptionField* option = schema::FindOption(key)) {
        if (auto err = schema::AssignJson(option->kind,
                                          option->get(config_.channel.without_namespace), v)) {
          return KeyError(key, *err);
        }
      } else if (key == "namespaces") {
        auto r = DecodeNamespaces(v, key, config_.channel.namespaces, warnings_);
        if (!r) return r;
      } else {
        auto r = Walk(key, v);
        if (!r) return r;
      }
    }
    return true;
  }

 private:
  // Walks a v6 path: a leaf, a section, the channel option containers, or an unknown key.
  Result<bool> Walk(const std::string& path, const json::value& v) {
    if (const schema::Field* field = schema::FindV6(path)) {
      if (auto err = schema::AssignJson(field->kind, field->get(config_), v)) {
        return KeyError(path, *err);
      }
      return true;
    }
    if (path == "channel.namespaces") {
      return DecodeNamespaces(v, path, config_.channel.namespaces, warnings_);
    }
    if (schema::IsSection(path)) {
      if (!v.is_object()) return KeyError(path, "expected object, got " + schema::Describe(v));
      if (path == "channel.without_namespace") {
        return DecodeOptions(path, v.get_object(), config_.channel.without_namespace, false,
                             warnings_);
      }
      for (const auto& [k, member] : v.get_object()) {
        auto r = Walk(path + "." + std::string(k), member);
        if (!r) return r;
      }
      return true;
    }
    bool top_level = path.find('.') == std::string::npos;
    if (schema::IsUnsupportedV6(path) || (top_level && schema::IsUnsupportedV5(path))) {
      warnings_.push_back(UnsupportedKeyWarning(path));
    } else {
      warnings_.push_back(UnknownKeyWarning(path));
    }
    return true;
  }

 public:
  static Result<bool> DecodeOptions(std::string_view prefix, const json::object& object,
                                    ChannelOptions& out, bool skip_name,
                                    std::vector<std::string>& warnings) {
    for (const auto& [k, v] : object) {
      std::string key = std::string(prefix) + "." + std::string(k);
      if (skip_name && k == "name") continue;
      if (const schema::OptionField* option = schema::FindOption(k)) {
        if (auto err = schema::AssignJson(option->kind, option->get(out), v)) {
          return KeyError(key, *err);
        }
      } else if (schema::IsUnsupportedOption(k)) {
        warnings.push_back(UnsupportedKeyWarning(key));
      } else {
        warnings.push_back(UnknownKeyWarning(key));
      }
    }
    return true;
  }

 private:
  Config& config_;
  std::vector<std::string>& warnings_;
};

}  // namespace

Error KeyError(std::string_view key, std::string_view what) {
  return Error{0, "config key \"" + std::string(key) + "\": " + std::string(what)};
}

std::string UnknownKeyWarning(std::string_view key) {
  return "unknown key in config: \"" + std::string(key) + "\"";
}

std::string UnsupportedKeyWarning(std::string_view key) {
  return "unsupported key in config (ignored): \"" + std::string(key) + "\"";
}

Result<bool> ApplyDocument(const json::value& root, Config& config,
                           std::vector<std::string>& warnings) {
  return Decoder(config, warnings).Root(root);
}

Result<bool> DecodeNamespaces(const json::value& value, std::string_view key,
                              std::vector<Namespace>& out, std::vector<std::string>& warnings) {
  if (!value.is_array()) {
    return KeyError(key, "expected array of namespace objects, got " + schema::Describe(value));
  }
  std::vector<Namespace> result;
  const json::array& array = value.get_array();
  for (size_t i = 0; i < array.size(); ++i) {
    std::string at = std::string(key) + "[" + std::to_string(i) + "]";
    if (!array[i].is_object()) {
      return KeyError(at, "expected object, got " + schema::Describe(array[i]));
    }
    const json::object& object = array[i].get_object();
    const json::value* name = object.if_contains("name");
    if (name == nullptr) return KeyError(at + ".name", "required");
    if (!name->is_string()) {
      return KeyError(at + ".name", "expected string, got " + schema::Describe(*name));
    }
    Namespace ns;
    ns.name = name->get_string();
    std::string label = std::string(key) + "[" + ns.name + "]";
    auto r = Decoder::DecodeOptions(label, object, ns.options, true, warnings);
    if (!r) return r;
    result.push_back(std::move(ns));
  }
  out = std::move(result);
  return true;
}

}  // namespace gyre::config::internal
