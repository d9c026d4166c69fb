from django.urls import path

from . import api

app_name = "submissions-api"
urlpatterns = [
    path("", api.SubmissionListCreate.as_view(), name="list"),
    path("template/", api.SubmissionTemplate.as_view(), name="template"),
    path("completeness/", api.SubmissionCompleteness.as_view(), name="completeness"),
    path("<int:pk>/", api.SubmissionDetail.as_view(), name="detail"),
    path("<int:pk>/confirm/", api.SubmissionConfirm.as_view(), name="confirm"),
    path("<int:pk>/approve/", api.SubmissionApprove.as_view(), name="approve"),
    path("<int:pk>/return/", api.SubmissionReturn.as_view(), name="return"),
    path("<int:pk>/reopen/", api.SubmissionReopen.as_view(), name="reopen"),
]
