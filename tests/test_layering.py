"""The core never imports a chat SDK: a third platform is a third folder in handlers/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = [
    *Path(__file__).resolve().parents[1].joinpath("bot").rglob("*.py"),
    *Path(__file__).resolve().parents[1].joinpath("storage").rglob("*.py"),
]
FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "handlers")


@pytest.mark.parametrize("path", CORE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_core_module_imports_no_chat_sdk(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    allowed_lazy = False
    bad = [m for m in imported if m.split(".")[0] in FORBIDDEN and not allowed_lazy]
    assert bad == [], f"{path} imports {bad}"
