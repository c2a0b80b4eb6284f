"""A real HTTP server on 127.0.0.1 that plays the real-time server's /api/publish.

Tests choose its behaviour (`mode`) to exercise the publisher against genuine sockets:
ok, http500, api_error (HTTP 200 with an error object), not_json, slow (answers after the
client's timeout).
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeApiServer:
    def __init__(self, mode="ok", api_key="test-api-key", delay=1.5):
        self.mode = mode
        self.api_key = api_key
        self.delay = delay
        self.requests = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(body or b"null")}
                )
                if self.headers.get("X-API-Key") != owner.api_key:
                    return self._reply(401, b"")
                if owner.mode == "http500":
                    return self._reply(500, b"internal error")
                if owner.mode == "not_json":
                    return self._reply(200, b"<html>proxy error</html>")
                if owner.mode == "slow":
                    time.sleep(owner.delay)
                if owner.mode == "api_error":
                    return self._reply(200, b'{"error":{"code":102,"message":"unknown channel"}}')
                return self._reply(200, b'{"result":{"offset":1,"epoch":"abcdefgh"}}')

            def _reply(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url():
    """A URL on which nothing listens (connection refused)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
