from django.urls import path

from . import views
from .county import county_figures_api

app_name = "reports-api"
urlpatterns = [
    path("<int:year>/figures/", views.figures_api, name="figures"),
    path("county/<int:year>/figures/", county_figures_api, name="county-figures"),
]
