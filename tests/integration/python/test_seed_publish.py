"""The seed's Django publish_message, made valid Python, against a running server; a
centrifuge-python subscriber proves delivery. Also the cent (PyPI) API client."""
import asyncio
import json
import types

import requests
from cent import BroadcastRequest, Client, PublishRequest
from cent.exceptions import CentUnauthorizedError
from centrifuge import Client as WsClient
from centrifuge import SubscriptionEventHandler

from conftest import API_KEY, connection_token

# Stands in for django.conf.settings; the seed sets CENTRIFUGO_HOST in Django settings.
settings = types.SimpleNamespace(CENTRIFUGO_HOST="http://localhost:8000")


def publish_message(message):
    # The seed's function; its header line was not valid Python and is fixed here.
    data = {
        'channel': 'chat',
        'data': {
            'text': message
        }
    }
    headers = {'X-API-Key': API_KEY}
    url = f"{settings.CENTRIFUGO_HOST}/api/publish"
    return requests.post(url, data=json.dumps(data), headers=headers)


async def _receive(server, action, channel="chat", count=1):
    """Subscribe with centrifuge-python, run action(), return the received data list."""
    received = []
    done = asyncio.Event()

    class Handler(SubscriptionEventHandler):
        async def on_publication(self, ctx):
            received.append(ctx.pub.data)
            if len(received) >= count:
                done.set()

    client = WsClient(server.ws_url, token=connection_token("42"), proxy=None)
    sub = client.new_subscription(channel, Handler())
    await client.connect()
    await sub.subscribe()
    await sub.ready(timeout=5)
    try:
        await asyncio.get_running_loop().run_in_executor(None, action)
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await client.disconnect()
    return received


def test_seed_publish_message_is_delivered(server):
    settings.CENTRIFUGO_HOST = server.http_url
    responses = []
    received = asyncio.run(_receive(server, lambda: responses.append(publish_message("hello"))))
    assert received == [{"text": "hello"}]
    assert responses[0].status_code == 200
    assert responses[0].json() == {"result": {}}


def test_seed_publish_message_with_wrong_key_is_rejected(server):
    settings.CENTRIFUGO_HOST = server.http_url
    r = requests.post(
        f"{server.http_url}/api/publish",
        data=json.dumps({"channel": "chat", "data": {"text": "x"}}),
        headers={"X-API-Key": "wrong"},
    )
    assert r.status_code == 401


def test_cent_client_publish_and_broadcast(server):
    api = Client(server.api_url, API_KEY)

    def act():
        api.publish(PublishRequest(channel="chat", data={"text": "from cent"}))
        result = api.broadcast(BroadcastRequest(channels=["chat"], data={"text": "cent broadcast"}))
        assert len(result.responses) == 1
        assert result.responses[0].error is None

    received = asyncio.run(_receive(server, act, count=2))
    assert received == [{"text": "from cent"}, {"text": "cent broadcast"}]


def test_cent_client_wrong_key(server):
    api = Client(server.api_url, "wrong")
    try:
        api.publish(PublishRequest(channel="chat", data={"text": "x"}))
    except CentUnauthorizedError:
        return
    raise AssertionError("publish with a wrong key must fail with 401")
