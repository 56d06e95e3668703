"""Engagement of sent posts: collected from each platform, read by learning and
the report.

(The collection and its storage are being built; until then nothing is observed.)
"""

from __future__ import annotations

from publisher.domain.results import Observation
from publisher.services.context import Context


def observations(context: Context, account_id: str) -> list[Observation]:
    """The account's sent posts with their interactions at the reference age, oldest
    first (a post younger than that: its latest count)."""
    del context, account_id
    return []
