"""The app's layers, read from its imports: one door to the browser (the app.browser package), painters that
never see the engine, and two features (the playground and the CNN lab) that meet only in main.py.

Every `import` in every module under site/ counts, at the top or inside a function. The rules are checked
on the real modules, and each rule is shown to catch a bad import in a made-up module.
"""
import ast
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "site"
BROWSER_MODULES = {"js", "pyodide", "pyodide_js", "pyscript"}
DOOR, PROTOCOL, STARTER, SCRIPT = "app.browser", "app.page", "app.main", "main"  # DOOR: a package; SCRIPT: site/main.py
FEATURES = ("app.playground", "app.digits")  # each may grow, but never reaches into the other
# Imports through which a painter may reach the engine for now, each with why; remove one once it is fixed.
PAINTER_DEBTS = {
    ("app.graph.view", "app.graph.layout"): "the view needs only fit_scale, which sits beside the layout code "
                                            "that orders the nodes with engine.topological_order",
}


def module_name(path):
    """app/digits/lab.py -> app.digits.lab; app/graph/__init__.py -> app.graph; main.py -> main."""
    parts = path.relative_to(SITE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def site_sources():
    return {module_name(path): path.read_text() for path in sorted(SITE.rglob("*.py"))}


def imports(name, source, known):
    """The modules `source` (module `name`) imports; `from package import module` names the module."""
    found = set()
    package = name if name in known and any(other.startswith(name + ".") for other in known) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, up level - 1
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known)
    return found


def within(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def reach(graph, start, skipping=()):
    """Every module `start` imports, directly or through the site's own modules, but not through the
    (importer, imported) pairs of `skipping`."""
    seen, todo = set(), [(start, module) for module in graph.get(start, ())]
    while todo:
        importer, name = todo.pop()
        if name not in seen and (importer, name) not in skipping:
            seen.add(name)
            todo.extend((name, module) for module in graph.get(name, ()))
    return seen


def is_painter(name):
    last = name.rpartition(".")[2]
    return last == "view" or last.endswith("_view")


def import_graph(sources):
    return {name: imports(name, source, sources) for name, source in sources.items()}


def violations(sources):
    """Each broken rule as a sentence naming the module and the import."""
    graph = import_graph(sources)
    found = []
    for name, imported in sorted(graph.items()):
        in_door = within(name, DOOR)  # the package or one of its modules
        browser_side = sorted(module for module in imported if module.split(".")[0] in BROWSER_MODULES)
        if browser_side and not in_door:
            found.append(f"{name} imports {', '.join(browser_side)}: only the {DOOR} package may "
                         "(the one door to the browser)")
        door_side = sorted(module for module in imported if within(module, DOOR)) if not in_door else []
        if name not in (STARTER, SCRIPT):
            found += [f"{name} imports {module}: features are handed a page, and only {STARTER} hands it"
                      for module in door_side]
        else:
            found += [f"{name} imports {module}: the app sees one door, {DOOR}, not the modules behind it"
                      for module in door_side if module != DOOR]
        if in_door:
            found += [f"{name} imports {module}: the door knows no feature (only {PROTOCOL})" for module in
                      sorted(imported) if within(module, "app") and module not in ("app", PROTOCOL)
                      and not within(module, DOOR)]
        if name == PROTOCOL:
            found += [f"{PROTOCOL} imports {module}: the protocol is plain Python" for module in sorted(imported)
                      if within(module, "app") or within(module, "engine") or module.split(".")[0] in BROWSER_MODULES]
        if is_painter(name):
            found += [f"painter {name} imports {module}" + ("" if module in imported else " (through the app's modules)")
                      + ": painters take arrays, not models" for module in sorted(reach(graph, name, PAINTER_DEBTS))
                      if within(module, "engine")]
        for feature in FEATURES:
            other = FEATURES[1 - FEATURES.index(feature)]
            if within(name, feature):
                found += [f"{name} imports {module}" + ("" if module in imported else " (through the app's modules)")
                          + f": {feature} and {other} meet only in {STARTER}"
                          for module in sorted(reach(graph, name)) if within(module, other)]
        if name != STARTER and all(any(within(module, feature) for module in imported) for feature in FEATURES):
            found.append(f"{name} imports both {FEATURES[0]} and {FEATURES[1]}: only {STARTER} joins them")
    return found


def test_the_sites_modules_keep_their_layers():
    sources = site_sources()
    assert {DOOR, f"{DOOR}.events", PROTOCOL, STARTER, SCRIPT, "app.playground.controller",
            "app.digits.lab"} <= set(sources)
    assert violations(sources) == []
    graph = import_graph(sources)
    for importer, imported in PAINTER_DEBTS:
        assert imported in graph[importer] and any(within(module, "engine") for module in reach(graph, imported)), \
            f"{importer} no longer reaches the engine through {imported}: remove the debt from PAINTER_DEBTS"


def test_painters_and_features_are_found():
    graph_names = set(site_sources())
    painters = {name for name in graph_names if is_painter(name)}
    assert {"app.graph.view", "app.playground.network_view", "app.digits.slab_view"} <= painters
    assert not any(is_painter(name) for name in ("app.playground.controller", "app.graph.layout"))


GOOD = {
    "main": "from app import browser\nfrom app import main",
    "app": "", "app.page": "from typing import Protocol",
    "app.browser": "from .boot import set_stage\nfrom app.browser.events import listen",
    "app.browser.boot": "import js\nimport pyodide_js",
    "app.browser.events": "import js\nfrom pyodide.ffi import create_proxy\nfrom app.page import PAGE_EVENTS\n"
                          "from . import boot",
    "app.main": "from app import browser\nfrom app.playground.controller import Playground\nfrom app.digits import lab",
    "app.shared": "", "app.shared.palette": "",
    "app.playground": "", "app.playground.controller": "from engine import nn\nfrom app.playground import curve_view",
    "app.playground.curve_view": "import numpy as np\nfrom app.shared import palette",
    "app.digits": "", "app.digits.lab": "from engine import weights\nfrom . import maps_view",
    "app.digits.maps_view": "from app.shared.palette import LIGHT",
    "app.digits.model": "from engine import nn",
}


def test_a_made_up_site_that_keeps_the_rules_passes():
    assert violations(GOOD) == []


@pytest.mark.parametrize("module, source, broken", [
    ("app.digits.lab", "def start():\n    import js", "app.digits.lab imports js: only the app.browser package may"),
    ("app.main", "from pyodide.ffi import to_js", "app.main imports pyodide.ffi: only the app.browser package may"),
    ("app.browser_tools", "import js", "app.browser_tools imports js: only the app.browser package may"),
    ("app.playground.controller", "from app import browser", "app.playground.controller imports app.browser: features"),
    ("app.playground.controller", "from app.browser.events import listen",
     "app.playground.controller imports app.browser.events: features"),
    ("app.main", "from app import browser\nfrom app.browser import events",
     "app.main imports app.browser.events: the app sees one door"),
    ("app.browser", "from app.playground import curve_view", "app.browser imports app.playground.curve_view: the door"),
    ("app.browser.events", "import js\nfrom ..digits import lab", "app.browser.events imports app.digits.lab: the door"),
    ("app.page", "from engine import nn", "app.page imports engine: the protocol is plain Python"),
    ("app.playground.curve_view", "from engine.tensor import Tensor", "painter app.playground.curve_view imports engine.tensor: painters"),
    ("app.digits.maps_view", "from app.digits import lab",
     "painter app.digits.maps_view imports engine (through the app's modules): painters"),
    ("app.digits.lab", "from app.playground.controller import Playground",
     "app.digits.lab imports app.playground.controller: app.digits and app.playground meet only in app.main"),
    ("app.playground.curve_view", "from app.shared import palette\nfrom ..digits import maps_view",
     "app.playground.curve_view imports app.digits.maps_view: app.playground and app.digits meet only in app.main"),
    ("app.shared.palette", "import app.playground\nimport app.digits.model", "app.shared.palette imports both"),
])
def test_each_rule_catches_a_bad_import(module, source, broken):
    found = violations({**GOOD, module: source})
    assert any(sentence.startswith(broken) for sentence in found), found
