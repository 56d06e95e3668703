"""``<home>/.cache/drafts-index.json``: what the drafts list shows, kept per draft file.

A cache: the tool may drop it at any time. One missing, unreadable, of another
version or made under another accounts file (which decides the locales a draft
needs) reads as empty and is rebuilt from the draft files; a workspace where it
cannot be written lists slower, nothing else. Its entries are the caller's compact
arrays, each starting with the draft file's stamp (see ``DraftStore.stamps``).
"""

from __future__ import annotations

import json

from publisher.storage.atomic import content_digest, write_atomic
from publisher.storage.workspace import Workspace

INDEX_PATH = ".cache/drafts-index.json"

Entries = dict[str, list]  # draft id -> [stamp, ...the caller's fields]


class DraftsIndexFile:
    def __init__(self, workspace: Workspace, version: int):
        self.path = workspace.home / INDEX_PATH
        self.version = version
        accounts = workspace.accounts_path
        self.accounts_key = content_digest(accounts.read_bytes()) if accounts.is_file() else ""

    def read(self) -> Entries:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.version \
                or data.get("accounts") != self.accounts_key:
            return {}
        return data.get("files", {})

    def write(self, entries: Entries) -> None:
        try:
            self.path.parent.mkdir(exist_ok=True)
            write_atomic(self.path, json.dumps(
                {"version": self.version, "accounts": self.accounts_key, "files": entries},
                ensure_ascii=False, separators=(",", ":")))
        except OSError:
            pass  # a read-only workspace lists slower, nothing else
