"""No private (underscore) attribute or module of another package anywhere in functions/.

Two rules over every module's syntax tree:
- an import of an underscore module or name from google, grpc or proto (proto-plus):
  ``from google.cloud.firestore_v1 import _helpers``, ``import grpc._channel``;
- an attribute access ``x._name`` (not a dunder) whose name the project does not define
  itself, as a method, a class or an attribute it assigns: ``client._firestore_api``,
  ``value._pb``. A name the project defines may still be read off someone else's object, so
  this rule is strict on what it sees, not complete;
- an underscore method of a class derived from one of google, grpc or proto: an override of
  a private hook (``def _emulator_channel`` in a subclass of the Firestore client).
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
GUARDED = ("google", "grpc", "proto")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def defined_names(trees: list[ast.AST]) -> set[str]:
    """Underscore names the project defines: functions, classes, assigned attributes and names,
    parameters, dataclass fields."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[0])
    return {name for name in names if _private(name)}


def guarded_aliases(tree: ast.AST) -> set[str]:
    """The names a module binds to google, grpc or proto modules and their members."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {
                alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name.split(".")[0] in GUARDED
            }
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in GUARDED:
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def findings(sources: dict[str, str]) -> list[str]:
    """Every private use in ``sources`` (file name → code), as ``file:line: what``."""
    trees = {name: ast.parse(code, name) for name, code in sources.items()}
    ours = defined_names(list(trees.values()))
    found = []
    for name, tree in trees.items():
        theirs = guarded_aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(_root(base) in theirs for base in node.bases):
                for member in node.body:
                    if isinstance(member, ast.FunctionDef) and _private(member.name):
                        found.append(
                            f"{name}:{member.lineno}: def {member.name} in a subclass of {ast.unparse(node.bases[0])}"
                        )
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] in GUARDED and any(_private(part) for part in parts):
                        found.append(f"{name}:{node.lineno}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = node.module.split(".")
                if parts[0] in GUARDED:
                    private = [part for part in parts if _private(part)]
                    private += [alias.name for alias in node.names if _private(alias.name)]
                    if private:
                        found.append(f"{name}:{node.lineno}: from {node.module} import {', '.join(private)}")
            elif isinstance(node, ast.Attribute) and _private(node.attr) and node.attr not in ours:
                found.append(f"{name}:{node.lineno}: .{node.attr}")
    return found


def project_sources(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root.parent)): path.read_text(encoding="utf-8") for path in sorted(root.rglob("*.py"))}


def test_functions_use_no_private_api_of_another_package():
    assert findings(project_sources(FUNCTIONS)) == []


@pytest.mark.parametrize(
    "code",
    [
        "from google.cloud.firestore_v1 import _helpers",
        "import google.cloud.firestore_v1._helpers",
        "from grpc._channel import _InactiveRpcError",
        "from proto._file_info import _FileInfo",
        "metadata = client._rpc_metadata",
        "kind = value._pb.WhichOneof('value_type')",
        "api = client._firestore_api",
        "class C:\n    def f(self):\n        return self.client._database_string",
        "from google.cloud import firestore\nclass C(firestore.Client):\n    def _emulator_channel(self): ...",
    ],
)
def test_the_scan_finds_private_uses(code):
    assert findings({"m.py": code}), code


@pytest.mark.parametrize(
    "code",
    [
        "from google.cloud.firestore_v1.types import firestore",
        "class C:\n    def __init__(self):\n        self._x = 1\n    def f(self, other):\n        return other._x",
        "name = type(x).__name__",
    ],
)
def test_the_scan_lets_public_and_own_names_through(code):
    assert findings({"m.py": code}) == []


def test_the_scan_fails_on_the_adapter_before_it_moved_to_public_apis():
    """The adapter as it was at commit 519b92d (private helpers, raw messages, the client's
    channel internals): the scan finds them."""
    files = ["firestore_tx.py", "firestore_codec.py", "firestore_client.py", "firestore_events.py"]
    sources = {}
    for file in files:
        shown = subprocess.run(
            ["git", "show", f"519b92d:functions/checkround/storage/{file}"], cwd=ROOT, capture_output=True, text=True
        )
        if shown.returncode != 0:
            pytest.skip("the repository's history is not here")
        sources[file] = shown.stdout
    found = "\n".join(findings(sources))
    for private in (
        "_helpers",
        "._firestore_api",
        "._rpc_metadata",
        "._database_string",
        "._pb",
        "def _emulator_channel",
    ):
        assert private in found
