from django.urls import path

from . import views

app_name = "submissions"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("template/", views.template, name="template"),
    path("completeness/", views.completeness, name="completeness"),
    path("form/<int:village>/<int:year>/<int:month>/", views.month_form_page, name="month-form"),
    path("form/<int:village>/<int:year>/<int:month>/draft/", views.month_form_draft, name="month-form-draft"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice-read"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/file/", views.download, name="file"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/approve/", views.review, {"action": "approve"}, name="approve"),
    path("<int:pk>/return/", views.review, {"action": "return"}, name="return"),
    path("<int:pk>/reopen/", views.review, {"action": "reopen"}, name="reopen"),
]
