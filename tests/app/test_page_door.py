"""The door to the browser and the tests' stand-in offer exactly what app.page.Page declares.

The door is the package app/browser/, whose modules import `js` and `pyodide`, which CPython lacks, so it is
imported here, every module of it, with stand-ins for those modules that answer any attribute: their
module-level code runs, and their functions and classes are the real ones, so their signatures are read as
Python sees them (behaviour is the browser tests' job). What the app sees is the package's attributes; which
names each module defines is read from its source, so nothing the door offers goes unseen.
"""
import ast
import importlib.util
import inspect
import sys
import types
from pathlib import Path
from unittest import mock

import pytest
from tests.app.fake_page import FakeCanvas, FakeFrames, FakePage, FakePixels

from app import page as page_protocol
from app.page import ELEMENT_EVENTS, PAGE_EVENTS, Page

DOOR = Path(page_protocol.__file__).with_name("browser")  # a package: __init__.py and a module per kind of call
DOOR_MODULES = sorted(DOOR.glob("*.py"))
SHAPES = {"Canvas": page_protocol.Canvas, "Pixels": page_protocol.Pixels,  # classes the door hands out
          "Worker": page_protocol.Worker}


@pytest.fixture(scope="module")
def door():
    """The app/browser package, and each of its modules, imported against stand-ins for `js`, `pyodide` and
    `pyodide_js` under a name of its own, so no other test meets this copy: sys.modules is as it was after."""
    ffi = types.ModuleType("pyodide.ffi")
    ffi.create_proxy, ffi.create_once_callable, ffi.to_js = mock.MagicMock(), mock.MagicMock(), mock.MagicMock()
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = ffi
    stubs = {"js": mock.MagicMock(), "pyodide_js": mock.MagicMock(), "pyodide": pyodide, "pyodide.ffi": ffi}
    with mock.patch.dict(sys.modules, stubs):
        spec = importlib.util.spec_from_file_location("browser_under_test", DOOR / "__init__.py",
                                                      submodule_search_locations=[str(DOOR)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = package  # its modules import one another relatively, through this name
        spec.loader.exec_module(package)
        for path in DOOR_MODULES:  # a module the package does not import still runs, and is read below
            if path.stem != "__init__":
                importlib.import_module(f"{spec.name}.{path.stem}")
    return package


def members(protocol):
    """A protocol's methods by name."""
    return {name: value for name, value in vars(protocol).items() if inspect.isfunction(value) and not name.startswith("_")}


def parameters(callable_, drop_self=False):
    """Its parameters as a caller may pass them, by position or by name: "name" or "name=default"."""
    found = [str(parameter.replace(annotation=inspect.Parameter.empty))
             for parameter in inspect.signature(callable_).parameters.values()]
    return ", ".join(found[1:] if drop_self else found)


def differences(protocol, offered):
    """What `offered` lacks of `protocol`, or offers with other parameters or as another kind of call."""
    found = []
    for name, member in members(protocol).items():
        if not hasattr(offered, name):
            found.append(f"{name} is missing")
            continue
        theirs = getattr(offered, name)
        if not callable(theirs):
            found.append(f"{name} is not callable")
        elif parameters(theirs) != parameters(member, drop_self=True):
            found.append(f"{name}({parameters(theirs)}) differs from the protocol's ({parameters(member, True)})")
        elif inspect.iscoroutinefunction(theirs) != inspect.iscoroutinefunction(member):
            found.append(f"{name} is {'not ' * inspect.iscoroutinefunction(member)}async, unlike the protocol's")
    for name in getattr(protocol, "__annotations__", {}):
        if not hasattr(offered, name):
            found.append(f"attribute {name} is missing")
    return found


def defined_names(path):
    """The public names a module's own top level defines (functions, classes, assignments), not imports."""
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)]
    return [name for name in names if not name.startswith("_")]


def test_the_door_offers_every_member_of_the_protocol_with_its_parameter_names(door):
    assert differences(Page, door) == []


def test_the_fake_page_offers_every_member_of_the_protocol_with_the_same_parameter_names():
    assert differences(Page, FakePage()) == []


def test_the_door_offers_nothing_the_protocol_does_not_declare(door):
    for path in DOOR_MODULES:
        undeclared = set(defined_names(path)) - set(members(Page)) - set(SHAPES)
        assert not undeclared, (f"browser/{path.name} offers {sorted(undeclared)}: declare them in app/page.py's "
                                "Page, or make them private")


def test_what_each_module_of_the_door_offers_the_package_offers(door):
    for path in DOOR_MODULES:
        module = door if path.stem == "__init__" else getattr(door, path.stem)
        hidden = [name for name in defined_names(path) if getattr(door, name, None) is not getattr(module, name)]
        assert not hidden, f"app.browser does not offer browser/{path.name}'s {hidden}: import them in its __init__.py"


def test_the_app_uses_every_member_of_the_protocol():
    site = DOOR.parents[1]
    elsewhere = [path for path in site.rglob("*.py")
                 if DOOR not in path.parents and path != Path(page_protocol.__file__)]
    used = {node.attr for path in elsewhere
            for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Attribute)}
    unused = set(members(Page)) - used
    assert not unused, f"nothing in site/ asks the page for {sorted(unused)}: drop them from the door and app/page.py"


def test_what_the_door_and_the_fake_hand_out_has_the_protocols_shape(door):
    assert differences(page_protocol.Canvas, door.Canvas("network")) == []
    assert differences(page_protocol.Pixels, door.Pixels()) == []
    assert differences(page_protocol.Frames, door.AnimationFrames(lambda timestamp: None)) == []
    assert differences(page_protocol.Canvas, FakeCanvas(300, 150)) == []
    assert differences(page_protocol.Pixels, FakePixels()) == []
    assert differences(page_protocol.Frames, FakeFrames(lambda timestamp: None)) == []


def test_the_door_listens_for_exactly_the_events_the_protocol_lists(door):
    assert set(door.events._ELEMENT_LISTENERS) == set(ELEMENT_EVENTS)
    assert set(door.events._PAGE_LISTENERS) == set(PAGE_EVENTS)
    with pytest.raises(ValueError, match="no event 'hover' on #network; expected one of down, move"):
        door.listen("network", ("hover",), print)


def test_a_member_missing_or_with_other_parameters_is_reported():
    class Partial:
        def set_text(self, element, text):  # "element" where the protocol says "element_id"
            pass

        def focus(self, element_id, select=True):  # another default
            pass

        def fetch_bytes(self, url):  # not async
            pass

    found = differences(Page, Partial())
    assert "set_text(element, text) differs from the protocol's (element_id, text)" in found
    assert "focus(element_id, select=True) differs from the protocol's (element_id, select=False)" in found
    assert "fetch_bytes is not async, unlike the protocol's" in found
    assert "listen is missing" in found and "build is missing" in found


def test_the_fake_page_refuses_events_the_door_would_not_report():
    page = FakePage()
    with pytest.raises(ValueError, match="no event 'action' on 'digit-pad'"):
        page.listen("digit-pad", ("action",), print)
    page.listen("digit-pad", ("down",), lambda kind, x, y, shift: None)
    with pytest.raises(AssertionError, match=r"'down' reports \('x', 'y', 'shift'\)"):
        page.fire("digit-pad", "down", 1.0, 2.0)
    with pytest.raises(LookupError, match="nothing listens for 'up' on 'digit-pad'"):
        page.fire("digit-pad", "up", 1.0, 2.0, False)
