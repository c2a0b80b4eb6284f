#!/usr/bin/env python3
"""Writes the real-time server config (Centrifugo v6 nested keys, read by Gyre and Centrifugo).

The `room` namespace carries everything the chat relies on: history + forced recovery
(missed messages replayed after a reconnect), presence and join/leave pushed to everyone.
"""
import argparse
import json


def room_namespace():
    return {
        "name": "room",
        "history_size": 200,
        "history_ttl": "24h",
        "force_recovery": True,
        "presence": True,
        "join_leave": True,
        "force_push_join_leave": True,
        # Public rooms (`room:<slug>`): any authenticated connection may subscribe.
        # Private rooms (`$room:<slug>`) always need a subscription token.
        "allow_subscribe_for_client": True,
        "allow_presence_for_subscriber": True,
        "allow_history_for_subscriber": True,
    }


def build_config(args):
    config = {
        "http_server": {"address": args.address, "port": args.port},
        "log": {"level": args.log_level},
        "client": {
            "token": {"hmac_secret_key": args.token_secret},
            "allowed_origins": args.origin,
        },
        "http_api": {"key": args.api_key},
        "channel": {"namespaces": [room_namespace()]},
    }
    if args.engine == "redis":
        config["engine"] = {"type": "redis", "redis": {"address": args.redis_address}}
    return config


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--token-secret", required=True)
    parser.add_argument("--origin", action="append", default=[], help="allowed browser origin (repeat)")
    parser.add_argument("--engine", choices=["memory", "redis"], default="memory")
    parser.add_argument("--redis-address", default="redis://127.0.0.1:6379")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(build_config(args), fh, indent=2)
        fh.write("\n")


if __name__ == "__main__":
    main()
