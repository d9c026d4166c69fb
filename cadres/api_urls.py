from django.urls import path

from . import api

app_name = "members-api"
urlpatterns = [
    path("due/", api.MembersDue.as_view(), name="due"),
    path("dues/", api.DuesTotals.as_view(), name="dues-totals"),
]
