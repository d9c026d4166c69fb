from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("due/", views.due, name="due"),
    path("dues/", views.dues_totals, name="dues-totals"),
]
