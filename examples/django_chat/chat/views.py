import json
import logging

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import tokens
from .forms import InviteForm, MessageForm, RoomForm
from .models import Membership, Message, Room
from .publish import publish_message

logger = logging.getLogger(__name__)

NOT_A_MEMBER = "This room is private and you are not a member. Ask a member to invite you."


def signup(request):
    if request.user.is_authenticated:
        return redirect("room_list")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        return redirect("room_list")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def room_list(request):
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            room = form.save(commit=False)
            room.slug = form.cleaned_data["slug"]
            room.owner = request.user
            room.save()
            Membership.objects.create(room=room, user=request.user)
        return redirect("chat_room", slug=room.slug)
    rooms = (
        Room.objects.filter(Q(is_private=False) | Q(members=request.user))
        .distinct()
        .order_by("name")
    )
    joined = set(Membership.objects.filter(user=request.user).values_list("room_id", flat=True))
    return render(
        request, "chat/rooms.html", {"rooms": rooms, "joined": joined, "form": form}
    )


def _recent_messages(room, after_id=None):
    qs = Message.objects.filter(room=room).select_related("author", "room")
    if after_id is not None:
        return list(qs.filter(id__gt=after_id).order_by("id")[: settings.CHAT_RECENT_MESSAGES])
    recent = list(qs.order_by("-id")[: settings.CHAT_RECENT_MESSAGES])
    recent.reverse()
    return recent


def _ws_url(request):
    if settings.CENTRIFUGO_WS_URL:
        return settings.CENTRIFUGO_WS_URL
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{request.get_host()}/connection/websocket"


@login_required
def chat_room(request, slug):
    """The seed's view: a room page with its recent messages, then live ones."""
    room = get_object_or_404(Room, slug=slug)
    can_read = room.can_read(request.user)
    is_member = room.is_member(request.user)
    recent = _recent_messages(room) if can_read else []
    members = list(room.members.order_by("username").values_list("username", flat=True)) if can_read else []
    page_config = {
        "room": room.slug,
        "channel": room.channel,
        "isPrivate": room.is_private,
        "canRead": can_read,
        "isMember": is_member,
        "username": request.user.get_username(),
        "wsUrl": _ws_url(request),
        "connectionTokenUrl": "/rt/connection-token/",
        "subscriptionTokenUrl": "/rt/subscription-token/",
        "messagesUrl": f"/rooms/{room.slug}/messages/",
        "lastMessageId": recent[-1].id if recent else 0,
        "notAMemberText": NOT_A_MEMBER,
    }
    return render(
        request,
        "chat/room.html",
        {
            "room": room,
            "messages": recent,
            "members": members,
            "can_read": can_read,
            "is_member": is_member,
            "not_a_member": NOT_A_MEMBER,
            "page_config": page_config,
            "invite_form": InviteForm(),
        },
    )


@login_required
@require_POST
def join_room(request, slug):
    room = get_object_or_404(Room, slug=slug)
    if room.is_private and not room.is_member(request.user):
        flash.error(request, NOT_A_MEMBER)
        return redirect("chat_room", slug=slug)
    Membership.objects.get_or_create(room=room, user=request.user)
    return redirect("chat_room", slug=slug)


@login_required
@require_POST
def invite(request, slug):
    room = get_object_or_404(Room, slug=slug)
    if not room.is_member(request.user):
        flash.error(request, "Only members can invite.")
        return redirect("chat_room", slug=slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        Membership.objects.get_or_create(room=room, user=form.cleaned_data["user"])
        flash.success(request, f"{form.cleaned_data['username']} is now a member.")
    else:
        flash.error(request, "; ".join(form.errors.get("username", ["Invalid username."])))
    return redirect("chat_room", slug=slug)


def _json_error(status, message):
    return JsonResponse({"error": message}, status=status)


def messages_endpoint(request, slug):
    """GET: messages after ?after=<id> (catch-up); POST: store and publish a new message."""
    if not request.user.is_authenticated:
        return _json_error(401, "Sign in first.")
    room = get_object_or_404(Room, slug=slug)
    if request.method == "GET":
        if not room.can_read(request.user):
            return _json_error(403, NOT_A_MEMBER)
        after = request.GET.get("after")
        try:
            after_id = int(after) if after not in (None, "") else None
        except ValueError:
            return _json_error(400, "after must be an integer")
        return JsonResponse({"messages": [m.as_payload() for m in _recent_messages(room, after_id)]})
    if request.method != "POST":
        return _json_error(405, "GET or POST")
    if not room.can_post(request.user):
        return _json_error(403, NOT_A_MEMBER if room.is_private else "Join the room to post.")
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return _json_error(400, "invalid JSON")
        form = MessageForm(payload if isinstance(payload, dict) else {})
    else:
        form = MessageForm(request.POST)
    if not form.is_valid():
        return _json_error(400, "text is required (at most 2000 characters)")
    with transaction.atomic():
        message = Message.objects.create(room=room, author=request.user, text=form.cleaned_data["text"])
        # Publish only once the row is committed: subscribers never see a message the
        # database could still roll back, and a failed publish never loses the message.
        transaction.on_commit(lambda: publish_message(message))
    return JsonResponse({"message": message.as_payload()}, status=201)


@require_POST
def connection_token(request):
    """Connection JWT for centrifuge-js `getToken` (called on connect and on expiry)."""
    if not request.user.is_authenticated:
        return _json_error(401, "Sign in first.")
    return JsonResponse({"token": tokens.connection_token(request.user)})


@require_POST
def subscription_token(request):
    """Subscription JWT for a private room channel, for members only."""
    if not request.user.is_authenticated:
        return _json_error(401, "Sign in first.")
    try:
        channel = json.loads(request.body or b"{}").get("channel", "")
    except (ValueError, AttributeError):
        return _json_error(400, "invalid JSON")
    if not isinstance(channel, str) or not channel:
        return _json_error(400, "channel is required")
    room = Room.from_channel(channel)
    if room is None:
        return _json_error(404, "No such room.")
    if not room.can_read(request.user):
        logger.info("refused subscription token for %s to user %s", channel, request.user.pk)
        return _json_error(403, NOT_A_MEMBER)
    return JsonResponse({"token": tokens.subscription_token(request.user, channel)})


@require_GET
def health(request):
    return JsonResponse({"ok": True})
