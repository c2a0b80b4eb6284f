import json
import subprocess
import sys
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from chat_project.database_url import parse_database_url

HERE = Path(__file__).resolve().parents[2]


class DatabaseUrlTests(SimpleTestCase):
    def test_sqlite_relative_and_absolute(self):
        self.assertEqual(parse_database_url("sqlite:///db.sqlite3", base_dir="/app")["NAME"], "/app/db.sqlite3")
        self.assertEqual(parse_database_url("sqlite:////tmp/x.sqlite3")["NAME"], "/tmp/x.sqlite3")
        self.assertEqual(parse_database_url("sqlite://:memory:")["NAME"], ":memory:")

    def test_postgres(self):
        db = parse_database_url("postgres://chat:p%40ss@db.internal:5433/chatdb?sslmode=require&conn_max_age=60")
        self.assertEqual(db["ENGINE"], "django.db.backends.postgresql")
        self.assertEqual((db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]),
                         ("chat", "p@ss", "db.internal", "5433", "chatdb"))
        self.assertEqual(db["OPTIONS"], {"sslmode": "require"})
        self.assertEqual(db["CONN_MAX_AGE"], 60)

    def test_unknown_scheme(self):
        with self.assertRaises(ValueError):
            parse_database_url("mysql://x@y/z")


class ServerConfigTests(SimpleTestCase):
    def test_generated_config_uses_v6_nested_keys(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "server.json"
            subprocess.run([sys.executable, str(HERE / "scripts/write_server_config.py"), "--out", str(out),
                            "--port", "9001", "--api-key", "k", "--token-secret", "s",
                            "--origin", "http://127.0.0.1:9000"], check=True)
            config = json.loads(out.read_text())
        self.assertEqual(config["http_server"]["port"], 9001)
        self.assertEqual(config["client"]["token"]["hmac_secret_key"], "s")
        self.assertEqual(config["client"]["allowed_origins"], ["http://127.0.0.1:9000"])
        self.assertEqual(config["http_api"]["key"], "k")
        [ns] = config["channel"]["namespaces"]
        self.assertEqual(ns["name"], "room")
        for option in ("force_recovery", "presence", "join_leave", "force_push_join_leave"):
            self.assertTrue(ns[option], option)
        self.assertGreater(ns["history_size"], 0)
        self.assertTrue(ns["history_ttl"])
        self.assertNotIn("engine", config)

    def test_deploy_node_configs_use_redis_engine(self):
        for name in ("gyre-node1.json", "gyre-node2.json"):
            config = json.loads((HERE / "deploy" / name).read_text())
            self.assertEqual(config["engine"]["type"], "redis", name)
            self.assertEqual(config["channel"]["namespaces"][0]["name"], "room")
