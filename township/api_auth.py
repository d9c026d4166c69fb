"""The API token endpoint, throttled like the login page."""
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from township.views import LOCKOUT_MESSAGE


class ThrottledObtainAuthToken(ObtainAuthToken):
    """POST username and password, get {"token": ...}; locked out like the login page after repeated failures."""

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
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
