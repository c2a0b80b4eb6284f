"""Starts a Gyre (or reference Centrifugo) server for the Python tests.

Same conventions as tests/integration/lib/server.mjs: GYRE_TARGET=gyre|centrifugo (default
gyre), GYRE_BIN / CENTRIFUGO_BIN for the binaries, a free loopback port, a temporary v6
config file, readiness by polling /health.
"""
import base64
import hashlib
import hmac
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"
SECRET = "your_token_hmac_secret_key"
API_KEY = "your_api_key"


def _binary(target):
    if target == "gyre":
        return os.environ.get("GYRE_BIN") or str(REPO / "build" / "dev" / "gyre")
    if os.environ.get("CENTRIFUGO_BIN"):
        return os.environ["CENTRIFUGO_BIN"]
    return str(REPO / ".cache" / "centrifugo" / "v6.9.1" / "bin" / "centrifugo")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _healthy(port):
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


class Server:
    def __init__(self, config):
        self.target = os.environ.get("GYRE_TARGET", "gyre")
        binary = _binary(self.target)
        if not os.path.exists(binary):
            raise RuntimeError(f"{self.target} binary not found at {binary}")
        self.port = _free_port()
        full = {
            "http_server": {"address": HOST, "port": self.port},
            "health": {"enabled": True},
            "usage_stats": {"disabled": True},
        }
        full.update(config)
        self.dir = tempfile.mkdtemp(prefix=f"{self.target}-pytest-")
        path = os.path.join(self.dir, "config.json")
        with open(path, "w") as f:
            json.dump(full, f)
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [binary, "--config", path], cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 15
        while not _healthy(self.port):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError(f"{self.target} did not start on port {self.port}")
            time.sleep(0.05)
        self.http_url = f"http://{HOST}:{self.port}"
        self.api_url = f"{self.http_url}/api"
        self.ws_url = f"ws://{HOST}:{self.port}/connection/websocket"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def connection_token(sub, ttl=3600):
    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"sub": sub, "exp": int(time.time()) + ttl}).encode())
    sig = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(sig)}"


@pytest.fixture(scope="module")
def server():
    srv = Server(
        {
            "client": {"token": {"hmac_secret_key": SECRET}},
            "http_api": {"key": API_KEY},
            "channel": {"without_namespace": {"allow_subscribe_for_client": True}},
        }
    )
    yield srv
    srv.stop()
