"""Hypothesis strategies for the attack suite: real payloads with parts deleted or replaced."""

from __future__ import annotations

import copy
import os
from typing import Any

from hypothesis import strategies as st

# A few hundred cases in the normal run; SECURITY_FUZZ_CASES=10000 for the long one.
FUZZ_CASES = int(os.environ.get("SECURITY_FUZZ_CASES", "200"))

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["", "{}", "[]", "null", '{"incident_id": 100000000000000000000000}', "\x00"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        found.append((*prefix, key))
        found += _paths(value, (*prefix, key))
    return found


def _parent(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], *, strings_only: bool = False) -> dict[str, Any]:
    """`base` with one to four of its fields (at any depth) deleted or replaced."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(value)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(value, path)
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(st.text(max_size=40) if strings_only else json_values)
    return value
