"""URLs of ledger import and list export; township/urls.py includes them under "ledgers/"."""
from django.urls import path

from ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("<slug:slug>/export.<str:fmt>", views.export, name="export"),
    path("<slug:slug>/import/", views.upload, name="upload"),
    path("<slug:slug>/template.xlsx", views.template, name="template"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job-confirm"),
    path("jobs/<int:pk>/errors.csv", views.job_errors, name="job-errors"),
]
