"""Reading the counts an API answer gives (likes, reposts...) for ``engagement``."""

from __future__ import annotations


def count(answer: dict, key: str) -> int | None:
    """The whole number ``answer[key]``, else None: the platform did not report it (a
    missing key, null, or anything that is no count is never taken for 0)."""
    value = answer.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None
