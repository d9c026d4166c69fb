from django.urls import path

from . import views

app_name = "committee"
urlpatterns = [
    path("<int:pk>/read/", views.notice_read, name="notice-read"),
    path("<int:pk>/receipts/", views.notice_receipts, name="notice-receipts"),
]
