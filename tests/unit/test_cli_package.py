"""``pip install .`` gives a working ``checkround``: every package the admin CLI imports, itself
or through the project's modules it loads, is a dependency that ``pyproject.toml`` declares.

The closure is read from the source (imports, whether at the top or inside a function), so a
new import in the CLI, or in a module it uses, without its dependency fails here rather than on
an admin's machine.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "functions" / "checkround"


def _module_file(name: str) -> Path | None:
    relative = Path(*name.split("."))
    for candidate in (ROOT / "functions" / relative.with_suffix(".py"), ROOT / "functions" / relative / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = node.module or ""
            name = f"{base}.{target}".strip(".") if node.level else target
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}  # `from . import x` imports a module
    return found


def _third_party_of_the_cli() -> set[str]:
    todo = [f"checkround.cli.{path.stem}" for path in (PACKAGE / "cli").glob("*.py")] + ["checkround.cli"]
    seen: set[str] = set()
    outside: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(module)
        if path is None:
            continue
        for name in _imports(path, module):
            top = name.split(".")[0]
            if top == "checkround":
                # The module and the packages above it (their __init__ runs too).
                parts = name.split(".")
                todo += [".".join(parts[: i + 1]) for i in range(len(parts))]
            elif top not in sys.stdlib_module_names and top != "__future__":
                outside.add(top)
    return outside


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower() for requirement in project["dependencies"]}


def test_every_package_the_cli_imports_is_a_declared_dependency() -> None:
    distributions = packages_distributions()
    needed = {module: {d.lower() for d in distributions.get(module, [module])} for module in _third_party_of_the_cli()}
    assert needed, "the CLI imports no third-party package? The closure is not being followed"
    assert {"click", "requests", "yaml"} <= set(needed)
    missing = {module: dists for module, dists in needed.items() if not dists & _declared()}
    assert missing == {}
