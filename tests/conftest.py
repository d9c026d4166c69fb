"""Role fixtures shared by every app's tests: two villages of one township, and another township; the demo."""
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from tests.villages.factories import PartyBranchFactory, TownshipFactory, UserFactory, VillageFactory
from township.celery import app as celery_app


@pytest.fixture(autouse=True)
def _fast_hashing_and_eager_tasks(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run inside a transaction a real worker could not see: run tasks in-process,
    # also in the CI run that has a Redis broker configured.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo (manage.py load_demo), loaded once for a test module inside a transaction that is rolled back
    when the module ends. Each test runs in a savepoint of it (pytest-django's `db` nests its atomic block), so
    what one test changes is undone before the next; the demo itself stays until the module ends, so a module
    that asks for it holds only tests about the demo. Not for transactional or live-server tests."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        block.__exit__(None, None, None)


@pytest.fixture
def demo_township(demo_loaded, db):
    """The demo's township (示范镇), its records loaded once per module (demo_loaded)."""
    from villages.models import Township

    return Township.objects.get(name="示范镇")


@pytest.fixture
def township(db):
    return TownshipFactory(name="示范镇")


@pytest.fixture
def village_a(township):
    village = VillageFactory(township=township, name="江南村", order=1)
    PartyBranchFactory(village=village, name="江南村党支部")
    return village


@pytest.fixture
def village_b(township):
    village = VillageFactory(township=township, name="联星村", order=2)
    PartyBranchFactory(village=village, name="联星村党支部")
    return village


@pytest.fixture
def other_township(db):
    return TownshipFactory(name="邻镇")


@pytest.fixture
def other_village(other_township):
    village = VillageFactory(township=other_township, name="邻镇一村", order=1)
    PartyBranchFactory(village=village, name="邻镇一村党支部")
    return village


@pytest.fixture
def staff(township):
    return UserFactory(username="staff", role="staff", township=township)


@pytest.fixture
def leader(township):
    return UserFactory(username="leader", role="leader", township=township)


@pytest.fixture
def secretary_a(village_a):
    return UserFactory(username="sec_a", role="secretary", township=village_a.township, village=village_a)


@pytest.fixture
def secretary_b(village_b):
    return UserFactory(username="sec_b", role="secretary", township=village_b.township, village=village_b)


@pytest.fixture
def other_staff(other_village):
    return UserFactory(username="other_staff", role="staff", township=other_village.township)


@pytest.fixture
def roles(staff, leader, secretary_a, secretary_b, other_staff):
    """Every role at once, by name, for permission walks."""
    return {
        "staff": staff,
        "leader": leader,
        "secretary_a": secretary_a,
        "secretary_b": secretary_b,
        "other_staff": other_staff,
    }


@pytest.fixture
def client_for(client):
    """A Django test client logged in as the given user (None: anonymous)."""

    def make(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def api_for():
    def make(user):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return make


@pytest.fixture
def county_user(township):
    """A county overseer (县级督导) whose county holds the test township (示范镇) only."""
    from township.models import County

    county = County.objects.create(name="示范县")
    county.townships.add(township)
    return UserFactory(username="county", role="county", county=county)


@pytest.fixture
def superuser(db):
    """An administrator as `createsuperuser` makes one: no township, the model's default role."""
    from township.models import User

    return User.objects.create_superuser("admin", password="demo12345")


def pytest_terminal_summary(terminalreporter):
    """The counters of tests/counters.py, once, after the run (how many files, cases, races were tried)."""
    from tests.counters import COUNTS

    if COUNTS:
        terminalreporter.section("counters")
        for name, amount in sorted(COUNTS.items()):
            terminalreporter.write_line(f"{name}: {amount}")
