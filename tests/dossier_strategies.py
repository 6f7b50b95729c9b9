"""Hypothesis strategies for the value objects that dossier events carry."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from hypothesis import strategies as st

from domain.dossier_values import (
    STAFF,
    Actor,
    Applicant,
    ApplicantKind,
    Charge,
    Delivery,
    DossierCode,
    HandedDocument,
    RequestedDocument,
    Role,
    Submission,
)
from domain.procedure_spec import Form
from tests.procedure_strategies import agency_codes, local_codes, vietnamese_text

_CODES = st.builds("GT.{:02d}".format, st.integers(1, 20))


@cache
def actors() -> st.SearchStrategy[Actor]:
    """Staff with an agency; applicants and systems with or without one."""
    staff = st.builds(
        Actor,
        st.text("abcdef-0123456789", min_size=1, max_size=12),
        st.sampled_from(sorted(STAFF)),
        agency_codes(),
    )
    others = st.builds(
        Actor,
        st.text("abcdef-0123456789", min_size=1, max_size=12),
        st.sampled_from([r for r in Role if r not in STAFF]),
        st.none() | agency_codes(),
    )
    return staff | others


@cache
def applicants() -> st.SearchStrategy[Applicant]:
    """Citizens, enterprises and bodies, with Vietnamese names."""
    return st.builds(
        Applicant,
        kind=st.sampled_from(ApplicantKind),
        name=vietnamese_text(),
        id_number=st.text("0123456789", min_size=9, max_size=12),
        phone=st.text("0123456789", max_size=11),
        email=st.just("") | st.just("a@b.vn"),
        address=st.just("") | vietnamese_text(),
    )


@cache
def handed_documents() -> st.SearchStrategy[HandedDocument]:
    """Checklist lines."""
    return st.builds(
        HandedDocument,
        _CODES,
        st.sampled_from(Form),
        st.integers(1, 5),
        st.just("") | st.just("file://scan/1.pdf"),
    )


@cache
def requested_documents() -> st.SearchStrategy[RequestedDocument]:
    """Lines of a supplement request."""
    return st.builds(RequestedDocument, _CODES, vietnamese_text(), vietnamese_text())


@cache
def charges() -> st.SearchStrategy[Charge]:
    """Fees and taxes in VND."""
    return st.builds(Charge, _CODES, vietnamese_text(), st.integers(0, 10**9))


@cache
def dossier_codes() -> st.SearchStrategy[DossierCode]:
    """Codes of days from 2000 to 2099 (the two-digit year's range)."""
    return st.builds(
        DossierCode,
        agency_codes(),
        st.dates(date(2000, 1, 1), date(2099, 12, 31)),
        st.integers(1, 99_999),
    )


@cache
def submissions() -> st.SearchStrategy[Submission]:
    """Applications for any procedure."""
    return st.builds(
        Submission,
        procedure=local_codes(),
        case=vietnamese_text(),
        applicant=applicants(),
        documents=st.lists(handed_documents(), max_size=4),
        receiving_unit=agency_codes(),
        competent_agency=agency_codes(),
        delivery=st.sampled_from(Delivery),
    )


def dossier_value_objects() -> dict[type, st.SearchStrategy[Any]]:
    """One strategy for every attrs value object that dossier events carry."""
    return {
        Actor: actors(),
        Applicant: applicants(),
        HandedDocument: handed_documents(),
        RequestedDocument: requested_documents(),
        Charge: charges(),
        DossierCode: dossier_codes(),
        Submission: submissions(),
    }
