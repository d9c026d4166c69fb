"""Every route of the URLconf, requested by every role with real object ids, against a declared expectation.

The routes are enumerated from get_resolver(), not listed by hand: a route added
without a line in EXPECT (or a record type not in one of the three sets below)
fails test_every_route_has_a_declared_expectation. Only /admin/ is skipped (Django's
own admin checks is_staff/permissions; no user of the product roles is is_staff).

Columns (ROLE_ORDER): anonymous; the secretaries of 江南村 (whose records the world holds) and
联星村; the township's leader and staff; the staff of another township; a county user whose
county (示范县) holds the township; a superuser without a township of their own. County users
and superusers choose a township's annual report with ?township=<id>, as the county view links them.

Outcome codes, one per role in ROLE_ORDER:
  ok   the role passes (2xx, a redirect that is not to the login page, or 400/409 for a
       write whose empty or out-of-state payload the view then refuses, which means it got past access)
  L    redirect to the login page (anonymous on pages)
  A    401 or 403 without data (anonymous on the API)
  403  visible but read-only;  404  not there for this role;  405  method not allowed

Each write request runs inside a savepoint that is rolled back, so the world is the same for every request.

KNOWN_WRONG lists the cells where the code still answers otherwise than the rule, in files
this branch does not change (reports/views.py, ledgers/views.py): the walk accepts today's
answer there and fails once the code gives the rule's, so the entry is deleted then.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from records import registry as records
from tests.counters import count
from tests.hardening.conftest import MONTH, YEAR, workbook_bytes

pytestmark = pytest.mark.django_db

ROLE_ORDER = ["anon", "secretary_a", "secretary_b", "leader", "staff", "other_staff", "county", "superuser"]
CHOOSE_TOWNSHIP = {"county", "superuser"}  # no township of their own: they pick the report's with ?township=
SKIPPED_PREFIXES = {
    "admin/": "Django admin: guarded by is_staff and model permissions, which no product role has",
}

# ---------------------------------------------------------------- declared record kinds
# Typed here, not read from the models' SCOPE: the test states what each kind should be.
TOWNSHIP_LEVEL = {  # secretaries have no business with these (404); staff write, leaders read
    "campaigns", "campaign-tasks", "bulletins", "township-targets", "economy-targets", "enterprises",
    "study-plans", "work-events", "org-life-requirements",
}
VILLAGE_READ = {  # secretaries read their own village's (403 on write)
    "branches", "star-ratings", "reserve-cadres", "cadre-trainings", "talents", "income-targets",
    "industry-projects",
    # township records that may name a village: its secretary reads the ones about it
    "problems", "supervision-visits", "alliances", "township-notices",
    # 组织关系转接: the staff record them; the secretaries of the villages at either end read them
    "transfers",
}
VILLAGE_WRITE = {  # the monthly records a secretary reports for their village
    "persons", "stage-changes", "incomes", "study-activities", "org-life",
    "appraisals",  # 民主评议党员: the branch records its members' grades
    "member-dues",  # 党费 per member and month
}


def _record_expectations(slug):
    if slug in TOWNSHIP_LEVEL:
        see_a, see_b, write_a = "404", "404", "404"
    elif slug in VILLAGE_READ:
        see_a, see_b, write_a = "ok", "404", "403"
    elif slug in VILLAGE_WRITE:
        see_a, see_b, write_a = "ok", "404", "ok"
    else:
        return {}
    list_b = "404" if slug in TOWNSHIP_LEVEL else "ok"  # B's own list of B's records
    create_b = write_a  # a kind-level decision: same for both secretaries
    # County users read like the leader (403 on writes); superusers do everything.
    page = {
        f"records:{slug}-list": {"GET": f"L {see_a} {list_b} ok ok ok ok ok"},
        f"records:{slug}-create": {m: f"L {write_a} {create_b} 403 ok ok 403 ok" for m in ("GET", "POST")},
        f"records:{slug}-detail": {"GET": f"L {see_a} {see_b} ok ok 404 ok ok"},
        f"records:{slug}-update": {m: f"L {write_a} 404 403 ok 404 403 ok" for m in ("GET", "POST")},
        f"records:{slug}-delete": {m: f"L {write_a} 404 403 ok 404 403 ok" for m in ("GET", "POST")},
        f"records:{slug}-history": {"GET": f"L {see_a} {see_b} ok ok 404 ok ok"},
    }
    api = {
        f"{slug}-list": {"GET": f"A {see_a} {list_b} ok ok ok ok ok",
                         "POST": f"A {write_a} {create_b} 403 ok ok 403 ok"},
        f"{slug}-list.fmt": {"GET": f"A {see_a} {list_b} ok ok ok ok ok"},
        f"{slug}-detail": {"GET": f"A {see_a} {see_b} ok ok 404 ok ok",
                           **{m: f"A {write_a} 404 403 ok 404 403 ok" for m in ("PUT", "PATCH", "DELETE")}},
        f"{slug}-detail.fmt": {"GET": f"A {see_a} {see_b} ok ok 404 ok ok"},
    }
    return {**page, **api}


POST_ONLY_STAFF = {"GET": "L 405 405 405 405 405 405 405"}

EXPECT = {
    # ------------------------------------------------------------ site
    "home": {"GET": "L ok ok ok ok ok ok ok"},
    "login": {"GET": "ok ok ok ok ok ok ok ok", "POST": "ok ok ok ok ok ok ok ok"},  # the form itself, no data
    "logout": {"GET": "405 405 405 405 405 405 405 405", "POST": "L L L L L L L L"},  # back to the login page
    "villages:list": {"GET": "L ok ok ok ok ok ok ok"},
    "villages:detail": {"GET": "L ok 404 ok ok 404 ok ok"},
    # What falls due in the development: everyone reads the items of the people they see (none: an empty list).
    "members:due": {"GET": "L ok ok ok ok ok ok ok"},
    "members-api:due": {"GET": "A ok ok ok ok ok ok ok"},
    # The branches' dues by month, derived from the members' dues they see (none: an empty table).
    "members:dues-totals": {"GET": "L ok ok ok ok ok ok ok"},
    "members-api:dues-totals": {"GET": "A ok ok ok ok ok ok ok"},
    # ------------------------------------------------------------ monthly workbook pages
    "submissions:index": {"GET": "L ok ok ok ok ok ok ok"},
    "submissions:upload": {"GET": "L 405 405 405 405 405 405 405", "POST": "L ok 404 403 ok 404 403 ok"},
    "submissions:template": {"GET": "L ok 404 ok ok 404 ok ok"},
    "submissions:completeness": {"GET": "L ok ok ok ok ok ok ok"},
    "submissions:month-form": {"GET": "L ok 404 ok ok 404 ok ok", "POST": "L ok 404 403 ok 404 403 ok"},
    "submissions:month-form-draft": {"GET": "L 405 405 405 405 405 405 405", "POST": "L ok 404 403 ok 404 403 ok"},
    # 三会一课 compliance: everyone reads the branches they may see (a secretary: her own).
    "study:compliance": {"GET": "L ok ok ok ok ok ok ok"},
    # A township notice (sent to 江南村): its secretary marks it read; staff and leaders see who has read it.
    "committee:notice-read": {"GET": "L 405 405 405 405 405 405 405", "POST": "L ok 404 403 403 404 403 403"},
    "committee:notice-receipts": {"GET": "L 403 404 ok ok 404 ok ok"},
    # Evidence of 江南村's meeting: read by whoever sees the meeting, added by its secretary and staff.
    "attachments:add": {"GET": "L 405 405 405 405 405 405 405", "POST": "L ok 404 403 ok 404 403 ok"},
    "attachments:file": {"GET": "L ok 404 ok ok 404 ok ok"},
    "attachments:thumbnail": {"GET": "L ok 404 ok ok 404 ok ok"},
    # A notice is its recipient's (secretary_a's) alone, whoever else may see the village.
    "submissions:notice-read": {"GET": "L 405 405 405 405 405 405 405", "POST": "L ok 404 404 404 404 404 404"},
    "submissions:detail": {"GET": "L ok 404 ok ok 404 ok ok"},
    # The raw workbook holds every 身份证号 unmasked: the village's secretary and the township's staff only.
    "submissions:file": {"GET": "L ok 404 404 ok 404 404 ok"},
    "submissions:confirm": {"GET": "L 405 405 405 405 405 405 405", "POST": "L ok 404 403 ok 404 403 ok"},
    "submissions:approve": {**POST_ONLY_STAFF, "POST": "L 403 404 403 ok 404 403 ok"},
    "submissions:return": {**POST_ONLY_STAFF, "POST": "L 403 404 403 ok 404 403 ok"},
    "submissions:reopen": {**POST_ONLY_STAFF, "POST": "L 403 404 403 ok 404 403 ok"},
    # ------------------------------------------------------------ annual report pages (own township only)
    "reports:index": {"GET": "L 403 403 ok ok ok ok ok"},
    "reports:annual": {"GET": "L 403 403 ok ok ok ok ok"},
    "reports:docx": {"GET": "L 403 403 ok ok ok ok ok"},
    "reports:figure-villages": {"GET": "L 403 403 ok ok ok ok ok"},
    "healthz": {"GET": "ok ok ok ok ok ok ok ok"},  # for the load balancer: no login, nothing but ok
    "reports:edit-part": {**POST_ONLY_STAFF, "POST": "L 403 403 403 ok ok 403 ok"},
    "reports:add-item": {**POST_ONLY_STAFF, "POST": "L 403 403 403 ok ok 403 ok"},
    "reports:delete-item": {**POST_ONLY_STAFF, "POST": "L 403 403 403 ok 404 403 ok"},
    "reports:decide": {**POST_ONLY_STAFF, "POST": "L 403 403 403 ok ok 403 ok"},
    "reports:finalize": {**POST_ONLY_STAFF, "POST": "L 403 403 403 ok ok 403 ok"},
    "reports:reopen": {**POST_ONLY_STAFF, "POST": "L 403 403 403 ok ok 403 ok"},
    "reports:county": {"GET": "L 404 404 404 404 404 ok ok"},  # county users and superusers only
    "reports:county-index": {"GET": "L 404 404 404 404 404 ok ok"},
    # ------------------------------------------------------------ ledgers (import: staff; export: any reader)
    # Importing writes into one's own township: a superuser, who has none, reads but does not import.
    "ledgers:export": {"GET": "L ok ok ok ok ok ok ok"},
    "ledgers:upload": {"GET": "L 403 403 403 ok ok 403 403", "POST": "L 403 403 403 ok ok 403 403"},
    "ledgers:template": {"GET": "L 403 403 403 ok ok 403 403"},
    "ledgers:job": {"GET": "L 404 404 403 ok 404 403 403"},
    "ledgers:job-status": {"GET": "L 404 404 403 ok 404 403 403"},
    "ledgers:job-confirm": {"GET": "L 405 405 405 405 405 405 405", "POST": "L 404 404 403 ok 404 403 403"},
    "ledgers:job-errors": {"GET": "L 404 404 403 ok 404 403 403"},
    # ------------------------------------------------------------ refused 身份证号: the township's staff and leaders
    # read the log of their own township's numbers (the other township's staff read theirs, empty here).
    "id-number-refusals": {"GET": "L 404 404 ok ok ok 404 ok"},
    "id-number-notices-read": {"GET": "L 405 405 405 405 405 405 405", "POST": "L 404 404 ok ok ok 404 ok"},
    # ------------------------------------------------------------ API
    "api-token": {"POST": "ok ok ok ok ok ok ok ok"},  # 400 without credentials; the login throttle has its own test
    # Revoke API tokens: only a token authenticates there (tests/township/test_tokens.py), not a session.
    "api-logout": {"POST": "A A A A A A A A"},
    "api-logout-all": {"POST": "A A A A A A A A"},
    # The schema and its viewers describe the API: for logged-in users, like the API itself.
    "api-schema": {"GET": "A ok ok ok ok ok ok ok"},
    "api-docs": {"GET": "L ok ok ok ok ok ok ok"},
    "api-redoc": {"GET": "L ok ok ok ok ok ok ok"},
    "api-root": {"GET": "A ok ok ok ok ok ok ok"},
    "api-root.fmt": {"GET": "A ok ok ok ok ok ok ok"},
    "village-list": {"GET": "A ok ok ok ok ok ok ok", "POST": "A 405 405 405 405 405 405 405"},
    "village-list.fmt": {"GET": "A ok ok ok ok ok ok ok"},
    "village-detail": {"GET": "A ok 404 ok ok 404 ok ok", "PUT": "A 405 405 405 405 405 405 405",
                       "DELETE": "A 405 405 405 405 405 405 405"},
    "village-detail.fmt": {"GET": "A ok 404 ok ok 404 ok ok"},
    "submissions-api:list": {"GET": "A ok ok ok ok ok ok ok", "POST": "A ok 404 403 ok 404 403 ok"},
    "submissions-api:template": {"GET": "A ok 404 ok ok 404 ok ok"},
    "submissions-api:completeness": {"GET": "A ok ok ok ok ok ok ok"},
    "org-life-compliance": {"GET": "A ok ok ok ok ok ok ok"},
    "township-notices-inbox": {"GET": "A ok ok ok ok ok ok ok"},
    "attachments-api": {"GET": "A ok 404 ok ok 404 ok ok", "POST": "A ok 404 403 ok 404 403 ok"},
    "township-notices-read": {"POST": "A ok 404 403 403 404 403 403"},
    "township-notices-receipts": {"GET": "A 403 404 ok ok 404 ok ok"},
    "submissions-api:detail": {"GET": "A ok 404 ok ok 404 ok ok", "DELETE": "A 405 405 405 405 405 405 405"},
    "submissions-api:confirm": {"POST": "A ok 404 403 ok 404 403 ok"},
    "submissions-api:approve": {"POST": "A 403 404 403 ok 404 403 ok"},
    "submissions-api:return": {"POST": "A 403 404 403 ok 404 403 ok"},
    "submissions-api:reopen": {"POST": "A 403 404 403 ok 404 403 ok"},
    "reports-api:figures": {"GET": "A 403 403 ok ok ok ok ok"},
    "reports-api:county-figures": {"GET": "A 404 404 404 404 404 ok ok"},
}
for _rt in records.all_types():
    EXPECT.update(_record_expectations(_rt.slug))

# (route, method, role) → what the code answers today where that is not the rule's answer in EXPECT.
KNOWN_WRONG: dict = {}


# ---------------------------------------------------------------- the routes


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str  # the URL name, namespaced; ".fmt" for DRF's format-suffix twin
    url_name: str
    is_format: bool
    params: tuple


def _walk(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            full = prefix + str(entry.pattern)
            url_name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            regex = entry.pattern.regex
            is_format = "format" in regex.groupindex
            yield Route(full, f"{url_name}.fmt" if is_format else url_name, url_name, is_format,
                        tuple(regex.groupindex))


def all_routes():
    routes, skipped = [], []
    for route in _walk(get_resolver()):
        reason = next((why for prefix, why in SKIPPED_PREFIXES.items() if route.pattern.startswith(prefix)), None)
        if reason or route.pattern.startswith(("static/", "media/")):
            skipped.append(route)
        else:
            routes.append(route)
    return routes, skipped


def test_every_route_has_a_declared_expectation():
    routes, skipped = all_routes()
    missing = sorted({r.name for r in routes if r.name not in EXPECT})
    assert not missing, f"routes without a declared expectation in EXPECT: {missing}"
    unnamed = [r.pattern for r in routes if not r.url_name]
    assert not unnamed, f"routes without a name cannot be declared: {unnamed}"
    slugs = {rt.slug for rt in records.all_types()}
    undeclared = slugs - TOWNSHIP_LEVEL - VILLAGE_READ - VILLAGE_WRITE
    assert not undeclared, f"record types in none of TOWNSHIP_LEVEL / VILLAGE_READ / VILLAGE_WRITE: {undeclared}"
    assert all(r.pattern.startswith("admin/") for r in skipped)
    for (name, method, role), today in KNOWN_WRONG.items():
        rule = EXPECT[name][method].split()[ROLE_ORDER.index(role)]
        assert today != rule, f"KNOWN_WRONG {name} {method} {role} is the rule's answer: delete it"


# ---------------------------------------------------------------- building requests


def _kwargs(route, world):
    name = route.url_name
    kw = {}
    params = set(route.params)
    if route.is_format:
        kw["format"] = "json"
    if "year" in params:
        kw["year"] = world.year
    if name.startswith("records:") or (name.endswith(("-detail", "-list")) and ":" not in name):
        slug = name.split(":", 1)[-1].rsplit("-", 1)[0]
        if "pk" in params:
            kw["pk"] = world.village_a.pk if slug == "village" else world.records[slug].pk
    elif "pk" in params:
        kw["pk"] = {
            "villages:detail": world.village_a.pk,
            "submissions:notice-read": world.notice.pk,
            "reports:delete-item": world.report_item.pk,
            "committee:notice-read": world.records["township-notices"].pk,
            "committee:notice-receipts": world.records["township-notices"].pk,
            "township-notices-read": world.records["township-notices"].pk,
            "township-notices-receipts": world.records["township-notices"].pk,
            "attachments:file": world.attachment.pk,
            "attachments:thumbnail": world.attachment.pk,
        }.get(name, None)
        if kw["pk"] is None:
            if name.startswith("ledgers:"):
                kw["pk"] = world.import_job.pk
            else:
                kw["pk"] = world.submission.pk
    if "village" in params:
        kw["village"] = world.village_a.pk
    if "month" in params:
        kw["month"] = MONTH
    if "slug" in params:
        kw["slug"] = "incomes"
    if "fmt" in params:
        kw["fmt"] = "xlsx"
    if "part" in params:
        kw["part"] = "work.political"
    if "key" in params:
        kw["key"] = "economy.villages_over_1m" if name == "reports:figure-villages" else "stars-below-target"
    return kw


def _reads_a_township_report(route):
    return route.url_name.startswith("reports:") and "county" not in route.url_name or \
        route.url_name == "reports-api:figures"


def build_url(route, world, role=None):
    url = reverse(route.url_name, kwargs=_kwargs(route, world))
    if route.url_name in ("submissions:template", "submissions-api:template"):
        url += f"?village={world.village_a.pk}&year={YEAR}&month={MONTH}"
    if route.url_name == "attachments-api":
        url += f"?target=org-life&object_id={world.records['org-life'].pk}"
    if role in CHOOSE_TOWNSHIP and _reads_a_township_report(route):
        url += f"?township={world.township.pk}"
    return url


def _body(route, world):
    """(data, content_type or None for multipart) of a write to this route."""
    name = route.url_name
    if name in ("submissions:upload", "submissions-api:list"):
        upload = SimpleUploadedFile("月报.xlsx", workbook_bytes(world.village_a, month=MONTH + 1))
        return {"village": world.village_a.pk, "year": YEAR, "month": MONTH + 1, "file": upload}, None
    if name.endswith(("return", "reopen")) and name.startswith("submissions"):
        return {"reason": "数据有误"}, None
    if name == "reports:add-item":
        return {"section": "highlights", "text": "新亮点"}, None
    if name == "reports:edit-part":
        return {"text": "改写的段落"}, None
    if name == "reports:reopen":
        return {"reason": "更正"}, None
    if name in ("attachments:add", "attachments-api"):
        pdf = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n")
        return {"target": "org-life", "object_id": world.records["org-life"].pk, "file": pdf}, None
    if name == "ledgers:upload":
        return {"file": SimpleUploadedFile("incomes.csv", "村,年度\n".encode())}, None
    if route.pattern.startswith("api/") and name not in ("api-token",) and ":" not in name:
        return json.dumps({}), "application/json"
    return {}, None


def classify(response):
    status = response.status_code
    if status in (301, 302) and "/login/" in response.get("Location", ""):
        return "L"
    if status in (200, 201, 202, 204, 301, 302, 400, 409):
        return "ok"
    return str(status)


# ---------------------------------------------------------------- the walk


@dataclass
class Tally:
    requests: int = 0
    combinations: set = None

    def __post_init__(self):
        self.combinations = set()


def _clients(world):
    clients = {}
    for role in ROLE_ORDER:
        client = Client()
        if role != "anon":
            client.force_login(world.users[role])
        clients[role] = client
    return clients


def request(client, method, url, body, content_type):
    if method == "GET":
        return client.get(url)
    if content_type is None:
        if method == "POST":
            return client.post(url, body)
        return client.generic(method, url)
    return client.generic(method, url, body, content_type=content_type)


def walk(world, routes):
    clients = _clients(world)
    problems, tally = [], Tally()
    for route in routes:
        for method, line in EXPECT[route.name].items():
            expected = line.split()
            assert len(expected) == len(ROLE_ORDER), f"{route.name} {method}: {line!r}"
            for role, want in zip(ROLE_ORDER, expected, strict=True):
                url = build_url(route, world, role)
                client = clients[role]
                body, content_type = _body(route, world) if method != "GET" else (None, None)
                with transaction.atomic():
                    response = request(client, method, url, body, content_type)
                    transaction.set_rollback(True)
                tally.requests += 1
                tally.combinations.add((route.name, role, method))
                got = classify(response)
                if want == "A" and response.status_code in (401, 403):
                    got = "A"
                today = KNOWN_WRONG.get((route.name, method, role))
                if today is not None and got == want:
                    problems.append(f"{method} {url} as {role}: now {got} as the rule says; delete it from KNOWN_WRONG")
                elif got != (today or want):
                    problems.append(f"{method} {url} as {role}: expected {today or want}, "
                                    f"got {response.status_code} ({got})")
                if role == "anon" and want in ("A", "L"):
                    _assert_no_data(response, url)
                if route.url_name == "logout" and method == "POST" and role != "anon":
                    client.force_login(world.users[role])
    return problems, tally


def _assert_no_data(response, url):
    if response.get("Content-Type", "").startswith("application/json"):
        payload = response.json()
        assert not ({"results", "id", "figures", "villages"} & set(payload)), f"{url} gave data to anonymous"


ROUTE_GROUPS = {
    "record-pages": lambda r: r.url_name.startswith("records:"),
    "record-api": lambda r: r.pattern.startswith("api/^") and not r.url_name.startswith("village-"),
    "other": lambda r: not r.url_name.startswith("records:") and not (
        r.pattern.startswith("api/^") and not r.url_name.startswith("village-")),
}


@pytest.mark.parametrize("group", list(ROUTE_GROUPS))
def test_permission_matrix(group, world):
    routes, _ = all_routes()
    mine = [r for r in routes if ROUTE_GROUPS[group](r) and r.name in EXPECT]
    problems, tally = walk(world, mine)
    count("permission matrix: routes", len(mine))
    count("permission matrix: requests", tally.requests)
    count("permission matrix: route × role × method", len(tally.combinations))
    assert not problems, "\n".join(problems)


def test_county_user_never_sees_another_countys_township(world, other_township, other_village):
    """Every record of 邻镇 (in 邻县), by page and API, and 邻镇 asked for by name: 404 for 示范县's user, never 500."""
    from submissions import services
    from tests.records.specs import SPECS, Ctx

    ctx = Ctx(township=other_township, village=other_village)
    theirs = {spec.slug: spec.make(ctx, 1) for spec in SPECS}
    submission = services.submission_create(
        village=other_village, year=YEAR, month=MONTH, user=world.users["superuser"],
        uploaded_file=SimpleUploadedFile("月报.xlsx", workbook_bytes(other_village)))
    urls = [f"/villages/{other_village.pk}/", f"/api/villages/{other_village.pk}/",
            f"/submissions/{submission.pk}/", f"/submissions/{submission.pk}/file/",
            f"/api/submissions/{submission.pk}/",
            f"/submissions/template/?village={other_village.pk}&year={YEAR}&month={MONTH}",
            f"/reports/{YEAR}/?township={other_township.pk}",
            f"/api/reports/{YEAR}/figures/?township={other_township.pk}"]
    for slug, obj in theirs.items():
        urls += [reverse(f"records:{slug}-detail", args=[obj.pk]), reverse(f"records:{slug}-history", args=[obj.pk]),
                 reverse(f"records:{slug}-update", args=[obj.pk]), f"/api/{slug}/{obj.pk}/"]
    client = Client()
    client.force_login(world.users["county"])
    seen = {url: client.get(url).status_code for url in urls}
    assert {url: code for url, code in seen.items() if code != 404} == {}
    # Lists and the county view hold only 示范县's township, whatever is asked for.
    other_county = other_township.counties.get()
    county_page = client.get(f"/api/reports/county/{YEAR}/figures/?county={other_county.pk}").json()
    assert [t["name"] for t in county_page["townships"]] == [world.township.name]
    for slug, obj in theirs.items():
        listed = client.get(f"/api/{slug}/").json()
        ids = {row["id"] for row in listed.get("results", listed)}
        assert obj.pk not in ids, slug
