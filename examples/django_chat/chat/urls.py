from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.room_list, name="room_list"),
    path("signup/", views.signup, name="signup"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("rooms/<str:slug>/", views.chat_room, name="chat_room"),
    path("rooms/<str:slug>/join/", views.join_room, name="join_room"),
    path("rooms/<str:slug>/invite/", views.invite, name="invite"),
    path("rooms/<str:slug>/messages/", views.messages_endpoint, name="room_messages"),
    path("rt/connection-token/", views.connection_token, name="connection_token"),
    path("rt/subscription-token/", views.subscription_token, name="subscription_token"),
    path("healthz/", views.health, name="health"),
]
