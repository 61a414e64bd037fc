"""Build the Cloud Functions source archive: ``dist/checkround-source.zip``, and list it.

The archive holds what the functions run, and nothing else: Cloud Functions wants ``main.py``
at the archive root, so ``functions/`` is flattened into it (``main.py``, ``checkround/``),
next to ``templates/`` (fonts and the web form's scripts included) and ``requirements.txt``;
``checkround.config`` finds ``templates/`` beside the package there. Left out: the admin CLI
(``checkround/cli``) and the local stack (``checkround/devstack``), which run on an admin's
machine, and ``schemas/`` (the seed form, roster and demo answers), which only the local stack
loads. ``tests/unit/test_bundle.py`` checks the list and imports every shipped module from an
unpacked archive.

Deterministic: entries sorted, every timestamp fixed, so the same tree gives the same bytes
(and the same object name in infra/storage.tf, which carries the archive's MD5).

Usage: python scripts/bundle.py [OUTPUT]
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "dist" / "checkround-source.zip"
# (source in the repository, name at the archive root)
TREES = [
    (ROOT / "functions" / "main.py", "main.py"),
    (ROOT / "functions" / "checkround", "checkround"),
    (ROOT / "templates", "templates"),
    (ROOT / "requirements.txt", "requirements.txt"),
]
# Parts of those trees that the functions never run (archive names).
NOT_SHIPPED = ("checkround/cli/", "checkround/devstack/")
EXCLUDED_DIRS = {"__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".import_linter_cache"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


def _excluded(path: Path) -> bool:
    return (
        any(part in EXCLUDED_DIRS or part.endswith(".egg-info") for part in path.parts)
        or path.name.endswith(EXCLUDED_SUFFIXES)
        or path.name == ".DS_Store"
    )


def entries() -> Iterator[tuple[Path, str]]:
    """Every (file, archive name) pair, sorted by archive name."""
    found: list[tuple[str, Path]] = []
    for source, name in TREES:
        if source.is_file():
            found.append((name, source))
            continue
        for path in source.rglob("*"):
            relative = path.relative_to(source)
            entry = f"{name}/{relative.as_posix()}"
            if path.is_file() and not _excluded(relative) and not entry.startswith(NOT_SHIPPED):
                found.append((entry, path))
    for name, path in sorted(found):
        yield path, name


def build(output: Path = DEFAULT_OUTPUT) -> list[str]:
    """Write the archive and return the names it holds."""
    output.parent.mkdir(parents=True, exist_ok=True)
    names = []
    tmp = output.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path, name in entries():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # rw-r--r--, whatever the checkout's modes
            archive.writestr(info, path.read_bytes())
            names.append(name)
    tmp.replace(output)
    return names


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    names = build(output)
    shown = output.relative_to(ROOT) if output.is_relative_to(ROOT) else output
    with zipfile.ZipFile(output) as archive:
        for info in archive.infolist():
            print(f"{info.file_size:>10,}  {info.filename}")
    print(f"bundle: {shown}: {len(names)} files, {output.stat().st_size / 1e6:.1f} MB")
    print(f"bundle: not shipped: {', '.join(NOT_SHIPPED)}, schemas/ (the local stack's seed and demo)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
