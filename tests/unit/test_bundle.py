"""``make bundle``: the Cloud Functions archive holds what the functions run, and runs unpacked.

Shipped: ``main.py`` at the root, the ``checkround`` package without the admin CLI and the
local stack, the templates (fonts, the web form's scripts) and ``requirements.txt``. Not
shipped: ``checkround/cli``, ``checkround/devstack``, ``schemas/`` (the seed and its demo
answers), tests, caches. The unpacked archive imports every module it ships and finds its
templates beside the package, with nothing of the repository on the path.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from scripts import bundle

ROOT = Path(__file__).resolve().parents[2]


def test_the_bundle_is_deterministic_and_sorted(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    names = bundle.build(first)
    bundle.build(second)
    assert first.read_bytes() == second.read_bytes(), "the bundle is deterministic"
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == names == sorted(names)


def test_the_bundle_holds_what_the_functions_run_and_nothing_else(tmp_path: Path) -> None:
    names = set(bundle.build(tmp_path / "b.zip"))
    package = ROOT / "functions" / "checkround"
    modules = {
        f"checkround/{path.relative_to(package).as_posix()}"
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] not in ("cli", "devstack")
    }
    templates = {
        f"templates/{path.relative_to(ROOT / 'templates').as_posix()}"
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
    }
    assert names == {"main.py", "requirements.txt"} | modules | templates
    assert any(name.startswith("templates/fonts/") and name.endswith(".ttf") for name in names)
    assert "templates/webform/static/form.js" in names
    for left_out in ("checkround/cli/", "checkround/devstack/", "schemas/", "tests/", "scripts/", "benchmarks/"):
        assert not [name for name in names if name.startswith(left_out)], left_out
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc") or ".egg-info" in name]


CHECK = r"""
import importlib, os, pkgutil, sys
bundle = sys.argv[1]
sys.path.insert(0, bundle)
import main  # the entry module, as Cloud Functions loads it
import checkround
from checkround.config import settings
assert checkround.__file__.startswith(bundle), checkround.__file__
loaded = []
for module in pkgutil.walk_packages(checkround.__path__, "checkround."):
    importlib.import_module(module.name)
    loaded.append(module.name)
for name in ("checkround.cli", "checkround.devstack"):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        pass
    else:
        raise AssertionError(name + " is importable from the bundle")
assert str(settings().templates_dir) == os.path.join(bundle, "templates"), settings().templates_dir
print(len(loaded))
"""


def test_the_unpacked_bundle_imports_every_module_it_ships(tmp_path: Path) -> None:
    archive = tmp_path / "b.zip"
    names = bundle.build(archive)
    unpacked = tmp_path / "source"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(unpacked)
    # -I: no PYTHONPATH, no current directory on the path; only the venv's packages and the bundle.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-I", "-c", CHECK, str(unpacked)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shipped_modules = [n for n in names if n.startswith("checkround/") and n.endswith(".py")]
    assert int(result.stdout.strip()) == len(shipped_modules) - 1  # every module but checkround/__init__
