"""Publishing to the real-time server over its HTTP API, as the seed does, made robust.

The message is already stored when this runs (views call it from transaction.on_commit), so
a slow or failing server costs at most one timeout and a log line, never the message: the
browsers that miss it live get it from the database on their next page load or catch-up.
"""
import logging

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


def publish(channel, data):
    """POST {channel, data} to <CENTRIFUGO_HOST>/api/publish. Returns True on success."""
    url = f"{settings.CENTRIFUGO_HOST.rstrip('/')}/api/publish"
    headers = {"X-API-Key": settings.CENTRIFUGO_API_KEY}
    timeout = settings.CENTRIFUGO_PUBLISH_TIMEOUT
    try:
        response = requests.post(
            url, json={"channel": channel, "data": data}, headers=headers, timeout=(timeout, timeout)
        )
    except requests.RequestException as exc:
        logger.error("publish to %s failed: %s", channel, exc)
        return False
    if response.status_code != 200:
        logger.error(
            "publish to %s failed: HTTP %s %s", channel, response.status_code, response.text[:200]
        )
        return False
    try:
        body = response.json()
    except ValueError:
        logger.error("publish to %s failed: response is not JSON: %r", channel, response.text[:200])
        return False
    if body.get("error"):
        logger.error("publish to %s failed: server error %s", channel, body["error"])
        return False
    return True


def publish_message(message):
    """Publish a stored chat Message to its room's channel."""
    return publish(message.room.channel, message.as_payload())
