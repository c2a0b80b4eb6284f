// Loading configuration: file (JSON; YAML/TOML by extension), environment, flags.
//
// Both dialects are accepted: Centrifugo v6 nested keys and v5 flat keys (the seed's config.json).
// Priority: flags > environment > file. Unknown keys are reported as warnings by name; a wrong
// type or an invalid value is an error whose message names the key and the expected form.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/config.h"

namespace gyre::config {

struct LoadResult {
  Config config;
  std::vector<std::string> warnings;  // e.g. `unknown key "foo"`
};

struct Sources {
  std::string file_path;                     // "" = no file
  std::map<std::string, std::string> env;    // full environment (NAME -> value)
  std::map<std::string, std::string> flags;  // dotted v6 key (or v5 key) -> value as text
};

// Returns the loaded config, or an Error (code 0) whose message names the offending key.
// The file format follows the extension: .yaml/.yml YAML, .toml TOML, anything else JSON.
// Load does not call Validate; callers run it next (checkconfig reports the two apart).
Result<LoadResult> Load(const Sources& sources);
// Same, from JSON text instead of sources.file_path (used by tests and by Load).
Result<LoadResult> LoadJson(std::string_view text, const Sources& sources);
// Same, from YAML or TOML text.
Result<LoadResult> LoadYaml(std::string_view text, const Sources& sources);
Result<LoadResult> LoadToml(std::string_view text, const Sources& sources);

// Cross-field validation (history size/ttl pairs, ping > pong, namespace names, ...).
// Returns an Error whose message names the key; code is unused.
Result<bool> Validate(const Config& config);

// Looks up the options of the namespace named `name` ("" = without namespace); nullptr if none.
const ChannelOptions* FindNamespace(const Config& config, std::string_view name);

// The JSON text `gyre genconfig` writes: a minimal v6 config with fresh random secrets
// (base64url, unpadded; 64 random bytes each for the token secret, API key and admin secret,
// 16 for the admin password), admin disabled and no allowed origins.
std::string GenerateV6Config();

}  // namespace gyre::config
