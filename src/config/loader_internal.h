// Pieces of the loader shared between its source files. Internal to the config layer.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/config.h"

namespace gyre::config::internal {

// `config key "<key>": <what>` with code 0.
Error KeyError(std::string_view key, std::string_view what);
// Warning texts, shared so that every source words them the same way.
std::string UnknownKeyWarning(std::string_view key);
std::string UnsupportedKeyWarning(std::string_view key);

// Applies a parsed configuration document in either dialect on top of `config`.
Result<bool> ApplyDocument(const boost::json::value& root, Config& config,
                           std::vector<std::string>& warnings);

// Decodes a namespaces array (v6 `channel.namespaces` or v5 `namespaces`); `key` prefixes every
// key named in errors and warnings. Replaces `out` only on success.
Result<bool> DecodeNamespaces(const boost::json::value& value, std::string_view key,
                              std::vector<Namespace>& out, std::vector<std::string>& warnings);

// Environment overrides (CENTRIFUGO_* and GYRE_*, v5 and v6 names) and flag overrides.
Result<bool> ApplyEnv(const std::map<std::string, std::string>& env, Config& config,
                      std::vector<std::string>& warnings);
Result<bool> ApplyFlags(const std::map<std::string, std::string>& flags, Config& config,
                        std::vector<std::string>& warnings);

// Text to a document. Errors carry a line and column where the parser reports one.
Result<boost::json::value> ParseJson(std::string_view text);
Result<boost::json::value> ParseYaml(std::string_view text);
Result<boost::json::value> ParseToml(std::string_view text);

}  // namespace gyre::config::internal
