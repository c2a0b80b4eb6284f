#include "jwt_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace gyre::bench {
namespace {

std::string Base64(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = p[i] << 16;
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

}  // namespace

std::string Base64Url(std::string_view bytes) {
  return Base64(bytes, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
}

std::string Base64Std(std::string_view bytes) {
  return Base64(bytes, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);
}

std::string SignHs256(std::string_view claims_json, std::string_view secret) {
  std::string token = Base64Url(R"({"alg":"HS256","typ":"JWT"})");
  token += '.';
  token += Base64Url(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &mac_len);
  token += '.';
  token += Base64Url(std::string_view(reinterpret_cast<char*>(mac), mac_len));
  return token;
}

std::string ConnectToken(std::string_view user, int64_t exp, std::string_view secret) {
  std::string claims = R"({"sub":")";
  claims += user;
  claims += R"(","exp":)";
  claims += std::to_string(exp);
  claims += '}';
  return SignHs256(claims, secret);
}

}  // namespace gyre::bench
