"""A platform's delivery port only renders and sends: the core's dispatcher owns the database,
and the type checker (not asserts) owns the payload shapes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
PORTS = [HANDLERS / "slack" / "port.py", HANDLERS / "teams" / "port.py"]


@pytest.mark.parametrize("path", PORTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_port_neither_touches_storage_nor_checks_payloads_with_assert(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    assert [m for m in imported if m.split(".")[0] == "storage"] == []
    assert [
        m for m in imported if m.startswith(("bot.delivery.outbox", "bot.delivery.payloads"))
    ] == []
    calls = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not calls & {"transaction", "sessions"}
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
