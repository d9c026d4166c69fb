"""township.urls plus the ledger URLs, until the lead includes township.import_urls in township/urls.py."""
from django.urls import include, path

from township.urls import handler403  # noqa: F401
from township.urls import urlpatterns as base_patterns

urlpatterns = list(base_patterns)
if not any(getattr(p, "namespace", None) == "imports" for p in base_patterns):
    urlpatterns.append(path("ledgers/", include("township.import_urls")))
