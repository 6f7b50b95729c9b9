"""Request bodies: every text is NFC-normalised, at every depth, and only once."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from entrypoints.http import dossier_schemas
from entrypoints.http.dossier_schemas import DocumentIn, NewDossierIn
from tests.http_fixtures import submission_body

DECOMPOSED = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")


def _nested(text: str) -> dict[str, Any]:
    body = submission_body()
    body["applicant"]["name"] = text
    body["documents"][0]["file_ref"] = text
    return {"channel": "counter", "submission": body}


def test_texts_at_every_depth_come_out_precomposed() -> None:
    """The applicant's name and a document's file reference are NFC, however they were typed."""
    submission = NewDossierIn.model_validate(_nested(DECOMPOSED)).submission.value()
    precomposed = unicodedata.normalize("NFC", DECOMPOSED)
    assert submission.applicant.name == precomposed
    assert submission.documents[0].file_ref == precomposed


def test_a_nested_body_validated_alone_is_normalised_too() -> None:
    """A body class used at the top (here one checklist line) normalises its own texts."""
    line = DocumentIn.model_validate({"code": "TP1", "form": "original", "file_ref": DECOMPOSED})
    assert line.file_ref == unicodedata.normalize("NFC", DECOMPOSED)


def test_the_tree_is_walked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nested bodies trust the top's normalisation instead of walking their subtree again."""
    walks: list[object] = []
    walk = dossier_schemas._nfc

    def counted(value: object) -> object:
        if isinstance(value, dict):
            walks.append(value)
        return walk(value)

    monkeypatch.setattr(dossier_schemas, "_nfc", counted)
    body = _nested(DECOMPOSED)
    NewDossierIn.model_validate(body)
    assert len(walks) == _objects(body)  # each JSON object visited once


def _objects(value: object) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(item) for item in value.values())
    if isinstance(value, list):
        return sum(_objects(item) for item in value)
    return 0
