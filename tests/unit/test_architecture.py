"""The layering holds: a pure domain and a package list that matches the folders."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    foreign = []
    for path in sorted((ROOT / "src" / "domain").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and not name.startswith("prorata.domain"):
                    foreign.append(f"{path.relative_to(ROOT)}: {name}")
    assert foreign == []


def test_every_package_folder_is_declared_in_pyproject() -> None:
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {"prorata.config"} | {
        ".".join(["prorata", *init.parent.relative_to(ROOT / "src").parts])
        for init in (ROOT / "src").rglob("__init__.py")
    }
    assert declared == on_disk
