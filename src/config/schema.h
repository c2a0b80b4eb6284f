// The key schema shared by the file decoder, the environment/flag overrides and the CLI.
//
// Every supported option appears once in a table with its v6 dotted path, its v5 flat key (if
// any), its value kind and where it lives in Config. Channel options have their own table
// because they appear in several places (channel.without_namespace, v5 top level, namespaces).
// Internal to the config layer.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace gyre::config::schema {

enum class Kind {
  kBool,
  kInt,
  kInt64,
  kString,
  kStringList,  // JSON array of strings (a single string is accepted too); env: space-separated
  kDuration,    // "25s", "1m30s", "1000ms"; a plain number means seconds
  kPort,        // 1..65535, number or numeric string
  kPortOrZero,  // 0..65535
};

using Target =
    std::variant<bool*, int*, int64_t*, std::string*, std::vector<std::string>*, Duration*>;

struct Field {
  std::string_view v6;  // dotted path, e.g. "client.channel_limit"
  std::string_view v5;  // flat key, e.g. "client_channel_limit"; "" when v6 only
  Kind kind;
  Target (*get)(Config&);
};

struct OptionField {
  std::string_view name;  // same in both dialects, e.g. "history_ttl"
  Kind kind;
  Target (*get)(ChannelOptions&);
};

std::span<const Field> Fields();
std::span<const OptionField> OptionFields();

const Field* FindV6(std::string_view path);
const Field* FindV5(std::string_view key);
const OptionField* FindOption(std::string_view name);

// True when `path` is a v6 section (an object holding supported keys), e.g. "client.token".
bool IsSection(std::string_view path);
// True for Centrifugo keys that Gyre accepts but ignores (their features are not implemented):
// v6 paths such as "grpc_api" or "http_server.tls", v5 keys such as "proxy_connect_endpoint",
// channel options such as "subscribe_proxy_enabled".
bool IsUnsupportedV6(std::string_view path);
bool IsUnsupportedV5(std::string_view key);
bool IsUnsupportedOption(std::string_view name);
// The same for an environment variable name without its prefix, lower-cased ("grpc_api_port").
bool IsUnsupportedEnv(std::string_view lower);

// Assigns a JSON value (from a file) or a text value (from env or flags) to `target`.
// On failure returns the expected form and what was found, e.g.
// `expected integer, got string "abc"`, for the caller to prefix with the key.
std::optional<std::string> AssignJson(Kind kind, const Target& target,
                                      const boost::json::value& value);
std::optional<std::string> AssignText(Kind kind, const Target& target, std::string_view text);

// Parses a Go-style duration ("1h2m3.5s", "300ms", "0") or a plain number of seconds.
// Precision is milliseconds (finer parts are truncated). nullopt when malformed or negative.
std::optional<Duration> ParseDuration(std::string_view text);
// Go's strconv.ParseBool set: 1 t T TRUE true True 0 f F FALSE false False.
std::optional<bool> ParseBool(std::string_view text);

// Describes a JSON value for error messages: `string "abc"`, `number 1.5`, `object`, ...
std::string Describe(const boost::json::value& value);

}  // namespace gyre::config::schema
