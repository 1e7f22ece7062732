"""build.py's vendoring step: the npm packages the page imports (CodeMirror for the editor, gifenc for GIFs),
copied from node_modules with an import map that resolves every name any of them imports, the same bytes on
every build, and nothing else."""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("build", ROOT / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

pytestmark = pytest.mark.skipif(not (build.NODE_MODULES / "codemirror").exists(),
                                reason="npm packages not installed: run npm ci")


def files_under(directory):
    return {path.relative_to(directory).as_posix(): path.read_bytes()
            for path in sorted(directory.rglob("*")) if path.is_file()}


def test_every_import_of_every_vendored_module_resolves_to_a_copied_file(tmp_path):
    import_map = build.vendor_modules(tmp_path)["imports"]
    assert {"codemirror", "@codemirror/lang-python", "@codemirror/view", "@lezer/python", "gifenc"} <= set(import_map)
    modules = [*(build.SITE / name for name in build.PAGE_MODULES), *(tmp_path / url for url in import_map.values())]
    for module in modules:
        assert module.is_file()
        assert set(build.bare_imports(module)) <= set(import_map), module
    assert {f"vendor/{path}" for path in files_under(tmp_path / "vendor")} == {
        url.removeprefix("./") for url in import_map.values()}


def test_the_vendored_files_are_the_installed_ones_and_every_build_is_the_same(tmp_path):
    first = build.vendor_modules(tmp_path / "first")
    second = build.vendor_modules(tmp_path / "second")
    assert json.dumps(first) == json.dumps(second)
    assert files_under(tmp_path / "first") == files_under(tmp_path / "second")
    view = build.NODE_MODULES / "@codemirror" / "view" / "dist" / "index.js"
    assert first["imports"]["@codemirror/view"] == "./vendor/@codemirror/view/dist/index.js"
    assert (tmp_path / "first" / "vendor/@codemirror/view/dist/index.js").read_bytes() == view.read_bytes()


@pytest.mark.parametrize("source, name", [
    ('import { a } from "./local.js";', "./local.js"),
    ("export * from '@codemirror/view/dist/index.js'", "@codemirror/view/dist/index.js"),
])
def test_an_import_that_is_not_a_whole_package_stops_the_build(tmp_path, source, name):
    module = tmp_path / "module.js"
    module.write_text(source)
    with pytest.raises(SystemExit, match=f"imports '{name}'"):
        build.bare_imports(module)


def test_imports_are_read_in_every_static_form_and_not_from_code(tmp_path):
    module = tmp_path / "module.js"
    module.write_text('import a, {\n  b as c,\n} from "one";\nimport "two";\nexport * from \'three\';\n'
                      'export { d } from "four";\nimport * as e from "five"\n'
                      'const text = "import x from not-a-module";\nexport const from = "six";\n')
    assert build.bare_imports(module) == ["one", "two", "three", "four", "five"]
