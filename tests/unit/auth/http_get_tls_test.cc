// HttpGet over https:// against a TLS server thread on 127.0.0.1 whose self-signed certificate is
// generated here; the client trusts it only through HttpGetOptions::trusted_ca_pem.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/http_get.h"
#include "auth/jwt.h"
#include "auth/test_keys.h"

namespace gyre::auth {
namespace {

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

// A self-signed P-256 certificate valid for an hour either side of now, naming `san` (an
// OpenSSL subjectAltName list such as "DNS:localhost,IP:127.0.0.1").
TestCert MakeSelfSigned(const std::string& san) {
  testing::Key key = testing::GenEc("P-256");
  std::unique_ptr<X509, decltype(&X509_free)> x509(X509_new(), X509_free);
  X509* x = x509.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("gyre test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                            {NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,digitalSignature,keyCertSign"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    EXPECT_NE(ext, nullptr) << value;
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  EXPECT_GT(X509_sign(x, key.get(), EVP_sha256()), 0);
  TestCert out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  out.cert_pem = BioText(bio);
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = BioText(bio);
  BIO_free(bio);
  return out;
}

const TestCert& LocalCert() {
  static const TestCert cert = MakeSelfSigned("DNS:localhost,IP:127.0.0.1");
  return cert;
}

// Accepts up to `responses.size()` TLS connections on 127.0.0.1, one after another, and answers
// each with the next canned response. Gives up when no client comes within a few seconds.
class TlsServer {
 public:
  TlsServer(const TestCert& cert, std::vector<std::string> responses)
      : responses_(std::move(responses)) {
    // A client that rejects the certificate hangs up mid-handshake; a write then must not kill
    // the test process.
    std::signal(SIGPIPE, SIG_IGN);
    ctx_ = SSL_CTX_new(TLS_server_method());
    BIO* bio = BIO_new_mem_buf(cert.cert_pem.data(), static_cast<int>(cert.cert_pem.size()));
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    bio = BIO_new_mem_buf(cert.key_pem.data(), static_cast<int>(cert.key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    EXPECT_EQ(SSL_CTX_use_certificate(ctx_, x), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx_, key), 1);
    X509_free(x);
    EVP_PKEY_free(key);

    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TlsServer() {
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  std::string Url(std::string_view host, std::string_view path) const {
    return "https://" + std::string(host) + ":" + std::to_string(port_) + std::string(path);
  }

  // When false the server closes the connection without a TLS close_notify, as some do.
  std::atomic<bool> close_notify{true};
  // Filled by the server thread; read them after the fetch returned.
  std::vector<std::string> requests;
  std::vector<std::string> server_names;  // SNI per handshake, "" when none was sent

 private:
  void Serve() {
    for (const auto& response : responses_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) return;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      timeval tv{5, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      if (SSL_accept(ssl) == 1) {
        const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        server_names.push_back(sni ? sni : "");
        std::string request;
        char buf[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
          int n = SSL_read(ssl, buf, sizeof buf);
          if (n <= 0) break;
          request.append(buf, static_cast<size_t>(n));
        }
        requests.push_back(request);
        SSL_write(ssl, response.data(), static_cast<int>(response.size()));
        if (close_notify) SSL_shutdown(ssl);
      }
      SSL_free(ssl);
      ERR_clear_error();
      ::close(c);
    }
  }

  std::vector<std::string> responses_;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

HttpGetOptions Trusting(const TestCert& cert) {
  HttpGetOptions options;
  options.timeout = std::chrono::seconds(5);
  options.trusted_ca_pem = cert.cert_pem;
  return options;
}

TEST(HttpsUrlTest, ParsesSchemeAndDefaultPort) {
  HttpUrl u;
  std::string error;
  ASSERT_TRUE(ParseHttpUrl("https://keys.example/jwks", u, error)) << error;
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "keys.example");
  EXPECT_EQ(u.port, "443");
  EXPECT_EQ(u.target, "/jwks");
  ASSERT_TRUE(ParseHttpUrl("HTTPS://[::1]:8443?x", u, error)) << error;
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, "8443");
  EXPECT_EQ(u.target, "/?x");
  ASSERT_TRUE(ParseHttpUrl("http://keys.example", u, error)) << error;
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.port, "80");
  EXPECT_FALSE(ParseHttpUrl("httpss://x/", u, error));
  EXPECT_FALSE(ParseHttpUrl("https://", u, error));
}

TEST(HttpsGetTest, FetchesFromIpAddressWithTrustedCertificate) {
  TlsServer server(LocalCert(),
                   {
                       "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"keys\":[]}",
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                       "HTTP/1.0 404 Not Found\r\n\r\nclose-delimited",
                   });
  HttpResponse r;
  std::string error;
  ASSERT_TRUE(HttpGet(server.Url("127.0.0.1", "/jwks?v=1"), Trusting(LocalCert()), r, error))
      << error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"keys\":[]}");
  HttpResponse chunked;
  ASSERT_TRUE(HttpGet(server.Url("127.0.0.1", "/"), Trusting(LocalCert()), chunked, error))
      << error;
  EXPECT_EQ(chunked.body, "abc");
  HttpResponse closed;
  ASSERT_TRUE(HttpGet(server.Url("127.0.0.1", "/"), Trusting(LocalCert()), closed, error)) << error;
  EXPECT_EQ(closed.status, 404);
  EXPECT_EQ(closed.body, "close-delimited");
  ASSERT_EQ(server.requests.size(), 3u);
  EXPECT_EQ(server.requests[0].rfind("GET /jwks?v=1 HTTP/1.1\r\n", 0), 0u) << server.requests[0];
  EXPECT_NE(server.requests[0].find("\r\nHost: 127.0.0.1:"), std::string::npos);
  EXPECT_EQ(server.server_names[0], "");  // no SNI for an IP address (RFC 6066)
}

TEST(HttpsGetTest, CloseWithoutCloseNotifyEndsTheBody) {
  TlsServer server(LocalCert(), {"HTTP/1.1 200 OK\r\n\r\n{\"keys\":[]}",
                                 "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort"});
  server.close_notify = false;
  HttpResponse r;
  std::string error;
  ASSERT_TRUE(HttpGet(server.Url("127.0.0.1", "/"), Trusting(LocalCert()), r, error)) << error;
  EXPECT_EQ(r.body, "{\"keys\":[]}");
  // A declared length still catches the truncation.
  EXPECT_FALSE(HttpGet(server.Url("127.0.0.1", "/"), Trusting(LocalCert()), r, error));
  EXPECT_NE(error.find("before the end of the body"), std::string::npos) << error;
}

TEST(HttpsGetTest, FetchesFromHostNameWithSni) {
  TlsServer server(LocalCert(), {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  HttpResponse r;
  std::string error;
  ASSERT_TRUE(HttpGet(server.Url("localhost", "/"), Trusting(LocalCert()), r, error)) << error;
  EXPECT_EQ(r.body, "ok");
  ASSERT_EQ(server.server_names.size(), 1u);
  EXPECT_EQ(server.server_names[0], "localhost");
}

TEST(HttpsGetTest, UntrustedCertificateIsRefusedByDefault) {
  TlsServer server(LocalCert(), {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  HttpResponse r;
  std::string error;
  EXPECT_FALSE(HttpGet(server.Url("127.0.0.1", "/"), std::chrono::seconds(5), r, error));
  EXPECT_NE(error.find("certificate verification failed"), std::string::npos) << error;
  EXPECT_TRUE(server.requests.empty());
}

TEST(HttpsGetTest, CertificateForAnotherNameIsRefused) {
  TestCert other = MakeSelfSigned("DNS:keys.example");
  TlsServer server(other, {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                           "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  HttpResponse r;
  std::string error;
  EXPECT_FALSE(HttpGet(server.Url("localhost", "/"), Trusting(other), r, error));
  EXPECT_NE(error.find("certificate verification failed"), std::string::npos) << error;
  EXPECT_NE(error.find("mismatch"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(HttpGet(server.Url("127.0.0.1", "/"), Trusting(other), r, error));
  EXPECT_NE(error.find("mismatch"), std::string::npos) << error;
  EXPECT_TRUE(server.requests.empty());
}

TEST(HttpsGetTest, BadTrustedCaOptionIsAnError) {
  HttpGetOptions options;
  options.trusted_ca_pem = "not a certificate";
  TlsServer server(LocalCert(), {});
  HttpResponse r;
  std::string error;
  // Nothing listens for TLS handshakes here: the option is refused before the handshake starts.
  EXPECT_FALSE(HttpGet(server.Url("127.0.0.1", "/"), options, r, error));
  EXPECT_NE(error.find("trusted CA"), std::string::npos) << error;
}

TEST(HttpsGetTest, SilentServerTimesOut) {
  // A listening socket that never accepts: TCP connects (the kernel completes it), the TLS
  // handshake never does.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 8);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  HttpGetOptions options = Trusting(LocalCert());
  options.timeout = std::chrono::milliseconds(200);
  HttpResponse r;
  std::string error;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(HttpGet("https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", options,
                       r, error));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_NE(error.find("timeout"), std::string::npos) << error;
  ::close(fd);
}

TEST(HttpsGetTest, VerifierAcceptsHttpsEndpoint) {
  config::TokenConfig c;
  c.jwks_public_endpoint = "https://keys.example/.well-known/jwks.json";
  EXPECT_TRUE(Verifier::Create(c).ok());
}

}  // namespace
}  // namespace gyre::auth
