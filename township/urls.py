from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from committee import api as committee_api
from records import registry as records
from records.api import build_viewset
from records.views import record_urlpatterns
from reports import views as report_views
from study.api import OrgLifeCompliance
from township import views as township_views
from township.api_auth import ThrottledObtainAuthToken, TokenLogout, TokenLogoutAll
from township.health import HealthView
from villages.api import VillageViewSet

router = DefaultRouter()
router.register("villages", VillageViewSet, basename="village")
for record_type in records.all_types():
    router.register(record_type.slug, build_viewset(record_type), basename=record_type.slug)

urlpatterns = [
    # The home page: the villages (villages app) and, for the township's leaders and staff, the year's key figures
    # against their targets (reports app, which may read every app; the villages app may not read the reports).
    path("", report_views.home_dashboard, name="home"),
    path("login/", township_views.LoginView.as_view(), name="login"),
    path("logout/", township_views.LogoutView.as_view(), name="logout"),
    path("villages/", include("villages.urls")),
    path("records/", include((record_urlpatterns(records.all_types()), "records"))),
    path("submissions/", include("submissions.urls")),
    path("org-life/", include("study.urls")),
    path("notices/", include("committee.urls")),
    path("attachments/", include("committee.attachment_urls")),
    path("reports/", include("reports.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("members/", include("cadres.urls")),
    path("privacy/id-number-refusals/", township_views.id_number_refusals, name="id-number-refusals"),
    path("privacy/id-number-refusals/read/", township_views.id_number_notices_read, name="id-number-notices-read"),
    path("admin/", admin.site.urls),
    path("healthz/", HealthView.as_view(), name="healthz"),
    path("api/auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("api/auth/logout/", TokenLogout.as_view(), name="api-logout"),
    path("api/auth/logoutall/", TokenLogoutAll.as_view(), name="api-logout-all"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The viewers are pages: an anonymous visitor is sent to the login page (the schema itself answers 401).
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/redoc/", login_required(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("api/submissions/", include("submissions.api_urls")),
    path("api/reports/", include("reports.api_urls")),
    # Before the router: its org-life/<pk>/ would take "compliance" for a record's id.
    path("api/org-life/compliance/", OrgLifeCompliance.as_view(), name="org-life-compliance"),
    path("api/attachments/", committee_api.AttachmentListCreate.as_view(), name="attachments-api"),
    path("api/township-notices/inbox/", committee_api.NoticeInbox.as_view(), name="township-notices-inbox"),
    path("api/township-notices/<int:pk>/read/", committee_api.NoticeRead.as_view(), name="township-notices-read"),
    path("api/township-notices/<int:pk>/receipts/", committee_api.NoticeReceipts.as_view(),
         name="township-notices-receipts"),
    path("api/members/", include("cadres.api_urls")),
    path("api/", include(router.urls)),
]
handler400 = "township.views.bad_request"
handler403 = "township.views.permission_denied"
