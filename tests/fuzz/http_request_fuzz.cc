// Fuzzes ParseHttpRequest over pipelined requests, then the accessors of each parsed request.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "net/http.h"

namespace {
constexpr size_t kMaxBody = 4096;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  // Several requests may arrive in one read; the connection parses them one after another.
  for (int i = 0; i < 16 && !rest.empty(); ++i) {
    gyre::net::HttpRequest req;
    gyre::net::HttpParseResult r = gyre::net::ParseHttpRequest(rest, kMaxBody, req);
    FUZZ_CHECK(r.consumed <= rest.size());
    if (r.status == gyre::net::HttpParseStatus::kError) {
      FUZZ_CHECK(r.error_status >= 400 && r.error_status <= 599);
      break;
    }
    if (r.status == gyre::net::HttpParseStatus::kIncomplete) break;
    FUZZ_CHECK(r.consumed > 0);
    FUZZ_CHECK(req.body.size() <= kMaxBody);
    FUZZ_CHECK(!req.method.empty());
    FUZZ_CHECK(req.path().size() <= req.target.size());
    (void)req.Header("Host");
    (void)req.HasHeader("Upgrade");
    (void)req.KeepAlive();
    (void)req.QueryParam("format");
    (void)gyre::net::UrlDecode(req.target);
    rest.remove_prefix(r.consumed);
  }
  return 0;
}
