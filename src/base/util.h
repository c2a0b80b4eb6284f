// Small pure helpers shared by every layer: base64, random identifiers, clocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gyre {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

// Unix time in seconds / milliseconds (wall clock).
int64_t UnixSeconds();
int64_t UnixMillis();

std::string Base64Encode(std::string_view in, bool url = false, bool pad = true);
// Accepts standard and URL alphabets, padded or not. nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view in);

// Random UUID version 4, lower-case, 36 characters.
std::string NewUuid();
// Random string of `n` ASCII letters (Centrifugo's stream epoch is 8 of them).
std::string RandomLetters(size_t n);
// Fills `out` with cryptographically strong random bytes.
void RandomBytes(void* out, size_t n);

// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

// Glob match as Centrifugo's allowed_origins uses it: `*` matches any run of characters
// (gobwas/glob without separators), `?` one character, everything else literally.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace gyre
