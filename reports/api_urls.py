from django.urls import path

from . import views

app_name = "reports-api"
urlpatterns = [
    path("<int:year>/figures/", views.figures_api, name="figures"),
]
