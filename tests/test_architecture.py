"""The apps import each other one way only (conventions.md, "Layout").

Every import statement of every module of the project's apps is read (function-level
imports included, since a lazy import is a dependency all the same) and mapped to the
app it names. Only the project's wiring (urls, settings, wsgi, asgi, celery) may import
everything.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each app and the apps it may import: the generic engines (records, ledgers) know no domain
# app; the domain apps know the engines and villages (the shared enums and the village-month)
# but not each other; submissions writes into the domain apps; reports reads them all.
ENGINES = {"township", "records", "ledgers"}
DOMAIN_BASE = ENGINES | {"villages"}
ALLOWED = {
    "township": set(),
    "records": {"township"},
    "ledgers": {"township", "records"},
    "villages": ENGINES,
    "cadres": DOMAIN_BASE,
    "economy": DOMAIN_BASE,
    "study": DOMAIN_BASE,
    "committee": DOMAIN_BASE,
    "submissions": DOMAIN_BASE | {"cadres", "economy", "study"},
    "reports": DOMAIN_BASE | {"cadres", "economy", "study", "committee", "submissions"},
}
WIRING = {"township/urls.py", "township/settings.py", "township/wsgi.py", "township/asgi.py", "township/celery.py"}


def imports_of(app):
    """{(imported app, module path)} of every import in the app's modules (migrations aside)."""
    found = set()
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or relative in WIRING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in ALLOWED and top != app:
                    found.add((top, relative))
    return found


def test_every_app_is_declared():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps == set(ALLOWED), "declare the new app's place in ALLOWED"


def test_imports_run_one_way():
    wrong = sorted(
        f"{module} imports {target}"
        for app, allowed in ALLOWED.items()
        for target, module in imports_of(app)
        if target not in allowed
    )
    assert not wrong, "\n".join(wrong)


def test_no_cycle_between_apps():
    edges = {app: {target for target, _module in imports_of(app)} for app in ALLOWED}
    state = {}

    def visit(app, trail):
        if state.get(app) == "done":
            return None
        if state.get(app) == "open":
            return trail[trail.index(app):] + [app]
        state[app] = "open"
        for target in sorted(edges[app]):
            cycle = visit(target, trail + [app])
            if cycle:
                return cycle
        state[app] = "done"
        return None

    for app in sorted(edges):
        cycle = visit(app, [])
        assert cycle is None, " → ".join(cycle)
