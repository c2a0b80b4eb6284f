// Build dependencies beyond the root CMakeLists: Debian packages libyaml-cpp-dev (YAML files)
// and libcpptoml-dev (TOML files, header-only); see tools/apt-packages.txt. Without them the
// formats report that they are not supported and JSON keeps working.
#include "config/loader.h"

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/util.h"
#include "config/loader_internal.h"

namespace gyre::config {
namespace {

Result<LoadResult> LoadDocument(Result<boost::json::value> document, const Sources& sources) {
  if (!document) return document.error();
  LoadResult result;
  auto r = internal::ApplyDocument(*document, result.config, result.warnings);
  if (!r) return r.error();
  r = internal::ApplyEnv(sources.env, result.config, result.warnings);
  if (!r) return r.error();
  r = internal::ApplyFlags(sources.flags, result.config, result.warnings);
  if (!r) return r.error();
  return result;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

std::string RandomSecret(size_t bytes) {
  std::string raw(bytes, '\0');
  RandomBytes(raw.data(), raw.size());
  return Base64Encode(raw, /*url=*/true, /*pad=*/false);
}

}  // namespace

Result<LoadResult> Load(const Sources& sources) {
  if (sources.file_path.empty()) return LoadDocument(boost::json::value(nullptr), sources);
  std::ifstream in(sources.file_path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return Error{0, "config file not found: " + sources.file_path};
    return Error{0, "error reading config file " + sources.file_path + ": " + std::strerror(err)};
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  const std::string& path = sources.file_path;
  Result<boost::json::value> document = EndsWith(path, ".yaml") || EndsWith(path, ".yml")
                                            ? internal::ParseYaml(text)
                                        : EndsWith(path, ".toml") ? internal::ParseToml(text)
                                                                  : internal::ParseJson(text);
  if (!document) return Error{0, "config file " + path + ": " + document.error().message};
  return LoadDocument(std::move(document), sources);
}

Result<LoadResult> LoadJson(std::string_view text, const Sources& sources) {
  return LoadDocument(internal::ParseJson(text), sources);
}

Result<LoadResult> LoadYaml(std::string_view text, const Sources& sources) {
  return LoadDocument(internal::ParseYaml(text), sources);
}

Result<LoadResult> LoadToml(std::string_view text, const Sources& sources) {
  return LoadDocument(internal::ParseToml(text), sources);
}

const ChannelOptions* FindNamespace(const Config& config, std::string_view name) {
  if (name.empty()) return &config.channel.without_namespace;
  for (const Namespace& ns : config.channel.namespaces) {
    if (ns.name == name) return &ns.options;
  }
  return nullptr;
}

std::string GenerateV6Config() {
  auto q = [](const std::string& s) { return boost::json::serialize(boost::json::string(s)); };
  std::string out;
  out += "{\n";
  out += "  \"client\": {\n";
  out += "    \"token\": {\n";
  out += "      \"hmac_secret_key\": " + q(RandomSecret(64)) + "\n";
  out += "    },\n";
  out += "    \"allowed_origins\": []\n";
  out += "  },\n";
  out += "  \"admin\": {\n";
  out += "    \"enabled\": false,\n";
  out += "    \"password\": " + q(RandomSecret(16)) + ",\n";
  out += "    \"secret\": " + q(RandomSecret(64)) + "\n";
  out += "  },\n";
  out += "  \"http_api\": {\n";
  out += "    \"key\": " + q(RandomSecret(64)) + "\n";
  out += "  }\n";
  out += "}\n";
  return out;
}

}  // namespace gyre::config
