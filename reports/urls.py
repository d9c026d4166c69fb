from django.urls import path

from . import views
from .county import county_index, county_report

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.annual, name="annual"),
    path("<int:year>/report.docx", views.report_docx, name="docx"),
    path("<int:year>/figures/<str:key>/", views.figure_villages, name="figure-villages"),
    path("<int:year>/parts/<str:part>/", views.edit_part, name="edit-part"),
    path("<int:year>/items/", views.add_item, name="add-item"),
    path("<int:year>/items/<int:pk>/delete/", views.delete_item, name="delete-item"),
    path("<int:year>/suggestions/<slug:key>/", views.decide, name="decide"),
    path("<int:year>/finalize/", views.finalize, name="finalize"),
    path("<int:year>/reopen/", views.reopen, name="reopen"),
    path("county/", county_index, name="county-index"),
    path("county/<int:year>/", county_report, name="county"),
]
