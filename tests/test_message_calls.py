"""Every interface text reaches the catalogs: the extractor only sees literal _() calls.

Python 3.11's tokenizer reads an f-string as one token, so pybabel never sees
an ``_('fix')`` written inside one (it stays English), and a text built before
``_()`` (an f-string, a concatenation, a ``.format``) is never in a catalog.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

TRANSLATORS = {"_", "gettext", "ngettext", "N_"}


def sources() -> list[Path]:
    return sorted((ROOT / "publisher").rglob("*.py"))


def is_translation(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in TRANSLATORS)


def texts(call: ast.Call) -> list[ast.expr]:
    """The arguments of a translation call that are texts (not ngettext's count)."""
    return call.args[:2] if call.func.id == "ngettext" else call.args[:1]  # type: ignore[attr-defined]


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"  # type: ignore[attr-defined]


def test_no_literal_translation_inside_an_f_string() -> None:
    found = []
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.JoinedStr):
                found += [where(path, call) for call in ast.walk(node) if is_translation(call)
                          and any(isinstance(arg, ast.Constant) for arg in texts(call))]
    assert found == [], "write the text outside the f-string: " + ", ".join(found)


def test_no_text_built_before_it_is_translated() -> None:
    built = (ast.JoinedStr, ast.BinOp, ast.Call)
    found = [where(path, node)
             for path in sources()
             for node in ast.walk(ast.parse(path.read_text(), str(path)))
             if is_translation(node) and any(isinstance(arg, built) for arg in texts(node))]
    assert found == [], "translate a literal, then format it: " + ", ".join(found)
