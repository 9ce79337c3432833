"""The apps' imports point down the layers only (DESIGN §7), so that the layering stays true.

From the ground up — an app imports only apps below it:

    core → villages → accounts → roundtable, notifications → projects, talent → noticeboard
         → dashboards, portal

Apps on one floor do not import each other, with two exceptions that go one way only:
notifications imports roundtable (roundtable announces its events as signals in ``roundtable.notify``
and never imports notifications), and talent may import the project models it links to (nothing else
of projects; projects never imports talent). ``config`` wires everything and may import anything; no
app imports ``config``, nor a test library (the demo back-dates with ``core.clock``). Every ``.py``
file of each app is read with ``ast``, migrations and imports inside functions included.

Templates follow the same order: an app's templates ``{% load %}`` tag libraries and ``{% include %}`` /
``{% extends %}`` templates of their own app or of apps below (the site-wide ``templates/`` and the
libraries' own templates are free for all).
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("villages",),
    ("accounts",),
    ("roundtable", "notifications"),
    ("projects", "talent"),
    ("noticeboard",),
    ("dashboards", "portal"),
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}
APPS = tuple(LEVEL)

# Libraries of requirements-dev.txt: the running portal (the demo included) must not need them.
TEST_ONLY = frozenset({"time_machine", "factory", "faker", "pytest", "pytest_django", "playwright", "polib"})

# (importer, imported) on the same floor -> module prefixes the importer may use ("" = any module).
SAME_FLOOR_ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("notifications", "roundtable"): ("",),
    ("talent", "projects"): ("projects.models",),
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    module: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.module}: {self.why}"


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the source, at any depth (functions too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def why_forbidden(app: str, module: str) -> str | None:
    """Why `app` may not import `module`, or None when it may."""
    target = module.split(".")[0]
    if target == app:
        return None
    if target == "config":
        return "no app imports config (config wires the apps together)"
    if target in TEST_ONLY:
        return f"{target} is a test library (requirements-dev.txt), not installed to run the portal"
    if target not in LEVEL:
        return None  # the standard library or a runtime package
    if LEVEL[target] < LEVEL[app]:
        return None
    if LEVEL[target] > LEVEL[app]:
        return f"{target} stands above {app}"
    allowed = SAME_FLOOR_ALLOWED.get((app, target))
    if allowed is None:
        return f"{app} and {target} share a floor and {app} may not import {target}"
    if any(module == prefix or module.startswith(prefix + ".") or prefix == "" for prefix in allowed):
        return None
    return f"{app} may import only {', '.join(allowed)} of {target}"


def violations_in(source: str, *, app: str, path: str = "<source>") -> list[Violation]:
    out = []
    for line, module in imported_modules(source):
        why = why_forbidden(app, module)
        if why:
            out.append(Violation(path, line, module, why))
    return out


def app_violations(app: str) -> list[Violation]:
    out = []
    for file in sorted((ROOT / app).rglob("*.py")):
        rel = str(file.relative_to(ROOT))
        out.extend(violations_in(file.read_text(encoding="utf-8"), app=app, path=rel))
    return out


TEMPLATE_REF = re.compile(r"""{%\s*(?:include|extends)\s+["']([A-Za-z_]+)/""")
TEMPLATE_LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def tag_libraries() -> dict[str, str]:
    """Tag library name -> the app that defines it."""
    return {
        lib.stem: lib.parent.parent.name
        for app in APPS
        for lib in (ROOT / app).glob("templatetags/*.py")
        if lib.stem != "__init__"
    }


def template_violations_in(
    source: str, *, app: str, path: str = "<template>", libraries=None
) -> list[Violation]:
    """Templates and tag libraries of apps above (or across a floor) that an app's template uses."""
    libraries = tag_libraries() if libraries is None else libraries
    used = []
    for number, line in enumerate(source.splitlines(), start=1):
        used += [
            (number, f"{m}.templates", f"template {m}/…") for m in TEMPLATE_REF.findall(line) if m in LEVEL
        ]
        for names in TEMPLATE_LOAD.findall(line):
            tokens = names.split()
            if "from" in tokens:  # {% load tag from library %}
                tokens = tokens[tokens.index("from") + 1 :]
            used += [
                (number, f"{libraries[t]}.templatetags", f"tag library {t}") for t in tokens if t in libraries
            ]
    out = []
    for number, module, what in used:
        why = why_forbidden(app, module)
        if why:
            out.append(Violation(path, number, what, why))
    return out


def app_template_violations(app: str) -> list[Violation]:
    libraries = tag_libraries()
    out = []
    for file in sorted((ROOT / app).glob("templates/**/*.html")):
        rel = str(file.relative_to(ROOT))
        out.extend(
            template_violations_in(file.read_text(encoding="utf-8"), app=app, path=rel, libraries=libraries)
        )
    return out


def test_architecture_layers_name_every_app_on_disk():
    on_disk = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert on_disk <= set(APPS), f"apps missing from the layer table: {sorted(on_disk - set(APPS))}"


@pytest.mark.parametrize("app", [a for a in APPS if (ROOT / a).is_dir()])
def test_architecture_layers_app_imports_point_down(app):
    violations = app_violations(app)
    assert violations == [], "\n".join(str(v) for v in violations)


@pytest.mark.parametrize("app", [a for a in APPS if (ROOT / a / "templates").is_dir()])
def test_architecture_layers_app_templates_point_down(app):
    violations = app_template_violations(app)
    assert violations == [], "\n".join(str(v) for v in violations)


def test_architecture_layers_template_loading_a_tag_library_from_above_is_caught():
    source = "{% load i18n %}\n{% load registry_links %}{% township_registry_links %}"
    (violation,) = template_violations_in(source, app="projects", libraries={"registry_links": "portal"})
    assert (violation.line, violation.module) == (2, "tag library registry_links")
    assert "portal stands above projects" in violation.why


def test_architecture_layers_template_including_across_a_floor_is_caught():
    source = (
        '{% include "projects/_filters.html" %}{% include "core/_form.html" %}{% include "includes/x.html" %}'
    )
    (violation,) = template_violations_in(source, app="talent", libraries={})
    assert violation.module == "template projects/…"
    assert "may import only projects.models of projects" in violation.why


def test_architecture_layers_villages_importing_roundtable_in_a_function_is_caught():
    source = "def f():\n    from roundtable.models import Issue\n    return Issue\n"
    (violation,) = violations_in(source, app="villages")
    assert (violation.line, violation.module) == (2, "roundtable.models")
    assert "roundtable stands above villages" in violation.why


@pytest.mark.parametrize(
    ("app", "module", "why"),
    [
        ("core", "villages.models", "villages stands above core"),
        ("roundtable", "notifications.services", "may not import notifications"),
        ("projects", "talent.selectors", "may not import talent"),
        ("talent", "projects.views", "may import only projects.models of projects"),
        ("portal", "dashboards.views", "may not import dashboards"),
        ("roundtable", "config.ratelimit", "no app imports config"),
        ("roundtable", "time_machine", "is a test library"),
    ],
)
def test_architecture_layers_wrong_way_import_is_refused(app, module, why):
    (violation,) = violations_in(f"import {module}\n", app=app)
    assert why in violation.why


@pytest.mark.parametrize(
    ("app", "module"),
    [
        ("notifications", "roundtable.models"),
        ("talent", "projects.models"),
        ("portal", "talent.demo"),
        ("accounts", "villages.models"),
        ("core", "django.db"),
    ],
)
def test_architecture_layers_downward_import_is_allowed(app, module):
    assert violations_in(f"from {module} import x\n", app=app) == []
