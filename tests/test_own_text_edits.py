"""An editor's save of accounts' own texts (DraftEdit.own_texts): written whole, each
translation stamped with its own source as the save leaves it, an emptied one removed."""

from __future__ import annotations

from pathlib import Path

from publisher.domain.drafts import TranslationState
from publisher.services.context import open_context
from publisher.services.drafts import DraftEdit, OwnText, save_draft

DRAFT = "consular-alert-floods"


def test_own_texts_saved_together_with_their_source_are_current(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load(DRAFT)
    edit = DraftEdit(own_texts={("sq", "mfa-x"): OwnText("Njoftim për X.", ("Më shumë.",)),
                                ("en", "mfa-x"): OwnText("Alert for X.", ("More.",))})
    draft = save_draft(context, DRAFT, loaded.digest, edit).loaded.draft
    assert draft.variants["en"].accounts["mfa-x"].thread == ("More.",)
    assert draft.variants["sq"].accounts["mfa-x"].from_source is None
    assert draft.own_state("en", "mfa-x") == TranslationState.TRANSLATED
    assert draft.state("en") == TranslationState.TRANSLATED  # the variant itself untouched


def test_an_own_text_without_its_own_source_follows_the_source_variant(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load(DRAFT)
    edit = DraftEdit(texts={"sq": "Njoftim i ri."},
                     own_texts={("en", "mfa-x"): OwnText("Alert for X.")})
    draft = save_draft(context, DRAFT, loaded.digest, edit).loaded.draft
    assert draft.own_state("en", "mfa-x") == TranslationState.TRANSLATED
    assert draft.state("en") == TranslationState.STALE  # its source changed


def test_an_emptied_own_text_is_removed(demo: Path) -> None:
    context = open_context(demo)
    loaded = context.drafts.load(DRAFT)
    saved = save_draft(context, DRAFT, loaded.digest,
                       DraftEdit(own_texts={("en", "mfa-x"): OwnText("Alert for X.")}))
    draft = save_draft(context, DRAFT, saved.loaded.digest,
                       DraftEdit(own_texts={("en", "mfa-x"): OwnText("  ")})).loaded.draft
    assert "mfa-x" not in draft.variants["en"].accounts
