// Environment and flag overrides.
//
// Environment names are the prefix (CENTRIFUGO_ or GYRE_) plus the upper-cased key with `.` -> `_`,
// for v6 paths, v5 flat keys and channel options (v5 top level and
// CHANNEL_WITHOUT_NAMESPACE_<OPTION>); CHANNEL_NAMESPACES / NAMESPACES hold JSON and replace the
// file's namespaces; CHANNEL_NAMESPACES_<NAME>_<OPTION> overrides one option of an existing
// namespace. When several variables set one value, GYRE_ beats CENTRIFUGO_ and, within a
// prefix, the v6 name beats the v5 name. Empty values count as unset.
#include <algorithm>
#include <boost/json.hpp>
#include <optional>
#include <unordered_map>

#include "config/loader_internal.h"
#include "config/schema.h"

namespace gyre::config::internal {
namespace {

namespace json = boost::json;

// Where an override goes.
struct Ref {
  const schema::Field* field = nullptr;
  const schema::OptionField* option = nullptr;
  int ns = -1;              // option target: -1 = without namespace, else namespace index
  bool namespaces = false;  // the whole namespaces array, as JSON
  bool v6 = false;
  std::string key;  // the config key, for messages
};

std::string EnvName(std::string_view key) {
  std::string out(key);
  for (char& c : out) c = c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Static names (everything but per-namespace overrides), keyed by the name without prefix.
const std::unordered_map<std::string, Ref>& EnvRefs() {
  static const auto* refs = [] {
    auto* m = new std::unordered_map<std::string, Ref>;
    // v6 names first: on a clash of names the v6 meaning stays.
    for (const schema::Field& f : schema::Fields()) {
      m->emplace(EnvName(f.v6), Ref{.field = &f, .v6 = true, .key = std::string(f.v6)});
    }
    for (const schema::OptionField& o : schema::OptionFields()) {
      std::string key = "channel.without_namespace." + std::string(o.name);
      m->emplace(EnvName(key), Ref{.option = &o, .v6 = true, .key = key});
    }
    m->emplace("CHANNEL_NAMESPACES",
               Ref{.namespaces = true, .v6 = true, .key = "channel.namespaces"});
    for (const schema::Field& f : schema::Fields()) {
      if (!f.v5.empty()) m->emplace(EnvName(f.v5), Ref{.field = &f, .key = std::string(f.v5)});
    }
    for (const schema::OptionField& o : schema::OptionFields()) {
      m->emplace(EnvName(o.name), Ref{.option = &o, .key = std::string(o.name)});
    }
    m->emplace("NAMESPACES", Ref{.namespaces = true, .key = "namespaces"});
    return m;
  }();
  return *refs;
}

// CHANNEL_NAMESPACES_<NAME>_<OPTION> for a namespace present in `config`; the longest matching
// name wins so that "a_b" is not taken for namespace "a" with option "b_...".
std::optional<Ref> NamespaceOptionRef(std::string_view suffix, const Config& config) {
  constexpr std::string_view kPrefix = "CHANNEL_NAMESPACES_";
  if (!suffix.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = suffix.substr(kPrefix.size());
  std::optional<Ref> best;
  size_t best_len = 0;
  for (size_t i = 0; i < config.channel.namespaces.size(); ++i) {
    const std::string& name = config.channel.namespaces[i].name;
    std::string norm = EnvName(name);
    std::replace(norm.begin(), norm.end(), '-', '_');
    if (norm.empty() || !rest.starts_with(norm) || rest.size() <= norm.size() + 1 ||
        rest[norm.size()] != '_' || norm.size() < best_len) {
      continue;
    }
    const schema::OptionField* o = schema::FindOption(Lower(rest.substr(norm.size() + 1)));
    if (o == nullptr) continue;
    best = Ref{.option = o,
               .ns = static_cast<int>(i),
               .v6 = true,
               .key = "channel.namespaces[" + name + "]." + std::string(o->name)};
    best_len = norm.size();
  }
  return best;
}

std::optional<std::string> AssignText(const Ref& ref, Config& config, std::string_view text) {
  if (ref.field != nullptr)
    return schema::AssignText(ref.field->kind, ref.field->get(config), text);
  ChannelOptions& options =
      ref.ns < 0 ? config.channel.without_namespace : config.channel.namespaces[ref.ns].options;
  return schema::AssignText(ref.option->kind, ref.option->get(options), text);
}

Result<bool> ApplyNamespacesJson(std::string_view text, std::string_view origin, Config& config,
                                 std::vector<std::string>& warnings) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    return Error{
        0, std::string(origin) + ": expected JSON array of namespace objects: " + ec.message()};
  }
  auto r = DecodeNamespaces(value, "channel.namespaces", config.channel.namespaces, warnings);
  if (!r) return Error{0, r.error().message + " (from " + std::string(origin) + ")"};
  return true;
}

struct EnvEntry {
  int rank;  // higher wins: GYRE_ over CENTRIFUGO_, v6 over v5
  std::string name;
  std::string suffix;
  std::string value;
};

}  // namespace

Result<bool> ApplyEnv(const std::map<std::string, std::string>& env, Config& config,
                      std::vector<std::string>& warnings) {
  std::vector<EnvEntry> entries;
  for (const auto& [name, value] : env) {
    if (value.empty()) continue;
    int prefix_rank;
    std::string_view suffix;
    if (name.starts_with("CENTRIFUGO_")) {
      prefix_rank = 0;
      suffix = std::string_view(name).substr(11);
    } else if (name.starts_with("GYRE_")) {
      prefix_rank = 2;
      suffix = std::string_view(name).substr(5);
    } else {
      continue;
    }
    // VAR_* are interpolation variables, not options.
    if (suffix.starts_with("VAR_")) continue;
    auto it = EnvRefs().find(std::string(suffix));
    int v6 = it == EnvRefs().end() || it->second.v6 ? 1 : 0;
    entries.push_back({prefix_rank + v6, name, std::string(suffix), value});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const EnvEntry& a, const EnvEntry& b) { return a.rank < b.rank; });

  // Namespaces first: per-namespace overrides apply to the final list.
  const EnvEntry* namespaces = nullptr;
  for (const EnvEntry& e : entries) {
    auto it = EnvRefs().find(e.suffix);
    if (it != EnvRefs().end() && it->second.namespaces) namespaces = &e;
  }
  if (namespaces != nullptr) {
    auto r = ApplyNamespacesJson(namespaces->value, "environment variable " + namespaces->name,
                                 config, warnings);
    if (!r) return r;
  }

  for (const EnvEntry& e : entries) {
    std::optional<Ref> ref;
    if (auto it = EnvRefs().find(e.suffix); it != EnvRefs().end()) {
      if (it->second.namespaces) continue;
      ref = it->second;
    } else {
      ref = NamespaceOptionRef(e.suffix, config);
    }
    if (!ref) {
      if (schema::IsUnsupportedEnv(Lower(e.suffix))) {
        warnings.push_back("unsupported environment variable (ignored): \"" + e.name + "\"");
      } else {
        warnings.push_back("unknown environment variable: \"" + e.name + "\"");
      }
      continue;
    }
    if (auto err = AssignText(*ref, config, e.value)) {
      return Error{
          0, "environment variable " + e.name + " (config key \"" + ref->key + "\"): " + *err};
    }
  }
  return true;
}

Result<bool> ApplyFlags(const std::map<std::string, std::string>& flags, Config& config,
                        std::vector<std::string>& warnings) {
  // v5 keys first so that a v6 flag given alongside wins.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [key, value] : flags) {
      const schema::Field* v6 = schema::FindV6(key);
      const schema::Field* v5 = v6 != nullptr ? nullptr : schema::FindV5(key);
      const schema::OptionField* option = nullptr;
      constexpr std::string_view kWithout = "channel.without_namespace.";
      if (v6 == nullptr && v5 == nullptr && key.starts_with(kWithout)) {
        option = schema::FindOption(std::string_view(key).substr(kWithout.size()));
      }
      bool namespaces = key == "channel.namespaces" || key == "namespaces";
      bool is_v6 = v6 != nullptr || option != nullptr || key == "channel.namespaces";
      if (v6 == nullptr && v5 == nullptr && option == nullptr && !namespaces) {
        if (pass == 0) return Error{0, "unknown flag --" + key};
        continue;
      }
      if ((pass == 1) != is_v6) continue;
      if (namespaces) {
        auto r = ApplyNamespacesJson(value, "flag --" + key, config, warnings);
        if (!r) return r;
        continue;
      }
      Ref ref{.field = v6 != nullptr ? v6 : v5, .option = option, .key = key};
      schema::Kind kind = ref.field != nullptr ? ref.field->kind : option->kind;
      // A bare boolean flag (`--admin.enabled`) arrives as an empty value.
      std::string_view text = value;
      if (text.empty() && kind == schema::Kind::kBool) text = "true";
      if (auto err = AssignText(ref, config, text)) {
        return Error{0, "flag --" + key + ": " + *err};
      }
    }
  }
  return true;
}

}  // namespace gyre::config::internal
