"""API tokens that end: obtained like the login page (throttled by django-axes), expiring, revocable.

Tokens are django-rest-knox's: the database keeps only a digest of each (a backup or a leaked
table hands out no working token, unlike DRF's authtoken, which stores the key itself), every
login gives a new token that ends after API_TOKEN_TTL_HOURS, and the token is revoked by
POST /api/auth/logout/ (this one), /api/auth/logoutall/ (all of the user's), a password change
and deactivation (township.models.User.save).
"""
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import get_token_model
from knox.views import LogoutAllView, LogoutView
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from township.views import LOCKOUT_MESSAGE


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    password = serializers.CharField(label="密码", style={"input_type": "password"})


class ThrottledObtainAuthToken(APIView):
    """POST username and password, get {"token": ..., "expiry": ...}; locked out like the login page after repeated
    failures. Send the token as `Authorization: Token <token>` until it expires, then ask for a new one."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: inline_serializer("AuthToken", {"token": serializers.CharField(),
                                                 "expiry": serializers.DateTimeField()}),
            400: OpenApiResponse(description="用户名或密码不正确"),
            429: OpenApiResponse(description="登录失败次数过多，已暂时锁定"),
        },
    )
    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", "") or "")
        password = str(request.data.get("password", "") or "")
        if not username or not password:
            return Response({"detail": "请提供用户名和密码。"}, status=status.HTTP_400_BAD_REQUEST)
        # django-axes tracks failures on the Django request, which DRF wraps: authenticate with that one.
        django_request = request._request
        if not AxesProxyHandler.is_allowed(django_request, {"username": username}):
            return Response({"detail": LOCKOUT_MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        user = authenticate(django_request, username=username, password=password)
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return Response({"detail": LOCKOUT_MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            return Response({"detail": "用户名或密码不正确。"}, status=status.HTTP_400_BAD_REQUEST)
        if not user.is_active:
            return Response({"detail": "用户名或密码不正确。"}, status=status.HTTP_400_BAD_REQUEST)
        instance, token = get_token_model().objects.create(user=user)
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response({"token": token, "expiry": instance.expiry})


class TokenLogout(LogoutView):
    """Revoke the token this request is authenticated with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)


class TokenLogoutAll(LogoutAllView):
    """Revoke every token of the user (all devices and scripts)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)
