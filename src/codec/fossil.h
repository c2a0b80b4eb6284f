// Fossil delta encoding (spec §4.6): the delta format of the Fossil SCM, as applied by
// Centrifugo SDKs to publications of subscriptions that negotiated `delta: "fossil"`.
//
// A delta is: the target length as a Fossil base-64 integer and '\n'; then commands, each an
// integer followed by an operator: "<count>@<offset>," copies count bytes of the source from
// offset, "<count>:<bytes>" inserts the next count bytes of the delta; finally
// "<checksum>;" with the checksum of the target. Integers use the digits
// 0-9 A-Z _ a-z ~ (most significant first).
//
// The encoder follows Fossil's algorithm (16-byte landmark blocks of the source found through a
// rolling hash over the target) with the same choices as the encoder used by Centrifugo, so the
// bytes it produces are the bytes Centrifugo sends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gyre::codec {

// The delta that turns `source` into `target`. Pure; never fails.
std::string FossilDelta(std::string_view source, std::string_view target);

// Fossil's checksum of `data` (the value before the final ';').
uint32_t FossilChecksum(std::string_view data);

}  // namespace gyre::codec
