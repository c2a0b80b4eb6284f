// gyre: the server and its helper commands, named and behaving as Centrifugo's
// (serve, version, genconfig, checkconfig, gentoken, gensubtoken, checktoken).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "auth/jwt.h"
#include "base/json.h"
#include "base/log.h"
#include "base/util.h"
#include "config/loader.h"
#include "server/server.h"

extern char** environ;

namespace gyre {
namespace {

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Collects `--dotted.key value` / `--dotted.key=value` / bare boolean `--key` from the extras
// CLI11 did not recognise; they become config flags (highest priority).
bool ParseConfigFlags(const std::vector<std::string>& extras,
                      std::map<std::string, std::string>& out) {
  for (size_t i = 0; i < extras.size(); ++i) {
    const std::string& a = extras[i];
    if (a.rfind("--", 0) != 0) {
      std::cerr << "error: unexpected argument \"" << a << "\"\n";
      return false;
    }
    std::string key = a.substr(2);
    size_t eq = key.find('=');
    if (eq != std::string::npos) {
      out[key.substr(0, eq)] = key.substr(eq + 1);
    } else if (i + 1 < extras.size() && extras[i + 1].rfind("--", 0) != 0) {
      out[key] = extras[++i];
    } else {
      out[key] = "true";
    }
  }
  return true;
}

// Loads and validates; prints the problem and returns nullopt on failure.
std::optional<config::Config> LoadConfig(const std::string& path, bool explicit_path,
                                         const std::map<std::string, std::string>& flags,
                                         bool print_warnings) {
  config::Sources src;
  if (FileExists(path)) {
    src.file_path = path;
  } else if (explicit_path) {
    std::cerr << "error: config file not found: " << path << "\n";
    return std::nullopt;
  }
  src.env = Environment();
  src.flags = flags;
  auto loaded = config::Load(src);
  if (!loaded.ok()) {
    std::cerr << "error getting config: " << loaded.error().message << "\n";
    return std::nullopt;
  }
  if (print_warnings) {
    for (const auto& w : loaded->warnings) spdlog::warn("{}", w);
  }
  auto valid = config::Validate(loaded->config);
  if (!valid.ok()) {
    std::cerr << "error validating config: " << valid.error().message << "\n";
    return std::nullopt;
  }
  return loaded->config;
}

int Serve(const config::Config& cfg) {
  if (!log::SetLevel(cfg.log_level)) {
    std::cerr << "error validating config: config key \"log.level\": unknown level\n";
    return 1;
  }
  // Signals are taken synchronously by this thread; loop threads inherit the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto server = server::Server::Create(cfg);
  if (!server.ok()) {
    std::cerr << "error: " << server.error().message << "\n";
    return 1;
  }
  auto started = (*server)->Start();
  if (!started.ok()) {
    std::cerr << "error: " << started.error().message << "\n";
    return 1;
  }
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("signal {} received, shutting down", sig);
  (*server)->Shutdown();
  return 0;
}

std::string TtlText(int64_t ttl) {
  if (ttl < 0) return "without expiration";
  std::ostringstream o;
  o << "with expiration TTL " << ttl / 3600 << "h" << (ttl % 3600) / 60 << "m" << ttl % 60 << "s";
  return o.str();
}

std::string UserText(const std::string& user) {
  return user.empty() ? std::string("anonymous user") : "user \"" + user + "\"";
}

}  // namespace
}  // namespace gyre

int main(int argc, char** argv) {
  using namespace gyre;
  CLI::App app{"Gyre: a real-time messaging server speaking Centrifugo's protocol and API"};
  app.allow_extras();
  app.set_version_flag("--version", std::string("Gyre v") + GYRE_VERSION);
  std::string config_path = "config.json";
  auto* config_opt = app.add_option("-c,--config", config_path, "configuration file");
  int port = 0;
  std::string address;
  app.add_option("-p,--port", port, "port to bind HTTP server to (http_server.port)");
  app.add_option("-a,--address", address, "interface address to listen on (http_server.address)");

  auto* serve = app.add_subcommand("serve", "run the server (same as no subcommand)");
  serve->allow_extras();
  serve->fallthrough();  // `gyre serve -c FILE` as well as `gyre -c FILE serve`
  auto* version = app.add_subcommand("version", "print version");
  auto* genconfig = app.add_subcommand("genconfig", "generate a minimal configuration file");
  genconfig->add_option("-c,--config", config_path, "output file");
  auto* checkconfig = app.add_subcommand("checkconfig", "check a configuration file");
  checkconfig->add_option("-c,--config", config_path, "configuration file");
  std::string user, channel;
  int64_t ttl = 604800;
  bool quiet = false;
  auto* gentoken = app.add_subcommand("gentoken", "generate an HS256 connection token");
  gentoken->add_option("-c,--config", config_path, "configuration file");
  gentoken->add_option("-u,--user", user, "user ID (empty = anonymous)");
  gentoken->add_option("-t,--ttl", ttl, "token TTL in seconds (-1 = no expiration)");
  gentoken->add_flag("-q,--quiet", quiet, "print the token only");
  auto* gensubtoken = app.add_subcommand("gensubtoken", "generate an HS256 subscription token");
  gensubtoken->add_option("-c,--config", config_path, "configuration file");
  gensubtoken->add_option("-u,--user", user, "user ID");
  gensubtoken->add_option("-s,--channel", channel, "channel");
  gensubtoken->add_option("-t,--ttl", ttl, "token TTL in seconds (-1 = no expiration)");
  gensubtoken->add_flag("-q,--quiet", quiet, "print the token only");
  std::string token;
  auto* checktoken = app.add_subcommand("checktoken", "check a connection token");
  checktoken->add_option("-c,--config", config_path, "configuration file");
  checktoken->add_option("token", token, "token to check");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  bool explicit_config = config_opt->count() > 0;
  for (auto* sub : {genconfig, checkconfig, gentoken, gensubtoken, checktoken}) {
    if (sub->parsed() && sub->get_option("--config")->count() > 0) explicit_config = true;
  }

  if (version->parsed()) {
    std::cout << "Gyre v" << GYRE_VERSION << " (C++, Centrifugo v6 protocol compatible)\n";
    return 0;
  }
  if (genconfig->parsed()) {
    if (FileExists(config_path)) {
      std::cerr << "error: output config file already exists: " << config_path << "\n";
      return 1;
    }
    std::ofstream f(config_path);
    f << config::GenerateV6Config() << "\n";
    f.close();
    if (!f) {
      std::cerr << "error: cannot write " << config_path << "\n";
      return 1;
    }
    ::chmod(config_path.c_str(), 0600);
    return 0;
  }
  std::map<std::string, std::string> flags;
  std::vector<std::string> extras = app.remaining();
  if (serve->parsed()) {
    auto more = serve->remaining();
    extras.insert(extras.end(), more.begin(), more.end());
  }
  if (!ParseConfigFlags(extras, flags)) return 1;
  if (port > 0) flags["http_server.port"] = std::to_string(port);
  if (!address.empty()) flags["http_server.address"] = address;

  if (checkconfig->parsed()) {
    if (!FileExists(config_path)) {
      std::cerr << "config file not found\n";
      return 1;
    }
    return LoadConfig(config_path, true, flags, true) ? 0 : 1;
  }
  if (gentoken->parsed() || gensubtoken->parsed() || checktoken->parsed()) {
    auto cfg = LoadConfig(config_path, explicit_config, flags, false);
    if (!cfg) return 1;
    const std::string& secret = cfg->client.token.hmac_secret_key;
    if (checktoken->parsed()) {
      if (token.empty()) {
        std::cerr << "error: provide token to check [gyre checktoken <TOKEN>]\n";
        return 1;
      }
      auto v = auth::Verifier::Create(cfg->client.token);
      if (!v.ok()) {
        std::cerr << "error: " << v.error().message << "\n";
        return 1;
      }
      auto r = (*v)->VerifyConnect(token, UnixSeconds());
      if (r.status != auth::TokenStatus::kOk) {
        std::cerr << "error: "
                  << (r.status == auth::TokenStatus::kExpired ? "token expired" : r.message)
                  << "\n";
        return 1;
      }
      size_t d1 = token.find('.'), d2 = token.rfind('.');
      auto payload = Base64Decode(token.substr(d1 + 1, d2 - d1 - 1));
      std::cout << "valid token for "
                << (r.claims.user.empty() ? std::string("anonymous user") : "user " + r.claims.user)
                << "\npayload: " << payload.value_or("") << "\n";
      return 0;
    }
    if (secret.empty()) {
      std::cerr << "error: no HMAC secret key set (client.token.hmac_secret_key)\n";
      return 1;
    }
    if (gensubtoken->parsed() && channel.empty()) {
      std::cerr << "channel is required\n";
      return 1;
    }
    std::string claims;
    {
      json::ObjectWriter w(claims);
      w.String("sub", user);
      if (gensubtoken->parsed()) w.String("channel", channel);
      int64_t now = UnixSeconds();
      w.Int("iat", now);
      if (ttl >= 0) w.Int("exp", now + ttl);
    }
    std::string jwt = auth::SignHs256(claims, secret);
    if (!quiet) {
      std::cout << "HMAC SHA-256 JWT for " << UserText(user);
      if (gensubtoken->parsed()) std::cout << " and channel \"" << channel << "\"";
      std::cout << " " << TtlText(ttl) << ":\n";
    }
    std::cout << jwt << "\n";
    return 0;
  }
  auto cfg = LoadConfig(config_path, explicit_config, flags, true);
  if (!cfg) return 1;
  return Serve(*cfg);
}
