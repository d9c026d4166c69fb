from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("add/", views.attachment_add, name="add"),
    path("<int:pk>/", views.attachment_file, name="file"),
    path("<int:pk>/thumbnail/", views.attachment_thumbnail, name="thumbnail"),
]
