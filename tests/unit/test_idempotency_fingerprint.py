"""The request fingerprint that tells a retry from a different request under the same key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.idempotency import fingerprint

BODY = '{"họ_tên":"Nguyễn Văn A"}'.encode()
PINNED = "a789171fb6214f9085e93742e4fe17595f5eac0b909247abac63e86dbcb1ab16"
"""Records outlive deployments: a new encoding would refuse retries of requests kept before."""


def test_the_fingerprint_is_a_stable_sha256_hex_digest() -> None:
    """The same request always gives the same 64 hex digits, pinned across releases."""
    digest = fingerprint("POST", "/api/v1/dossiers", BODY)
    assert digest == fingerprint("POST", "/api/v1/dossiers", BODY)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert digest == PINNED


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/v1/dossiers", BODY),
        ("post", "/api/v1/dossiers", BODY),
        ("POST", "/api/v1/dossiers/", BODY),
        ("POST", "/api/v1/dossiers?x=1", BODY),
        ("POST", "/api/v1/dossiers", BODY + b" "),
        ("POST", "/api/v1/dossiers", b""),
    ],
)
def test_changing_any_part_changes_the_fingerprint(method: str, path: str, body: bytes) -> None:
    """A different method, path or body (by one byte) gives a different fingerprint."""
    assert fingerprint(method, path, body) != fingerprint("POST", "/api/v1/dossiers", BODY)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("POST", "/a", b"b"), ("POST", "/ab", b"")),
        (("POST", "/a", b""), ("POS", "T/a", b"")),
        (("POST", "", b"/a"), ("POST", "/a", b"")),
        (("", "", b""), ("", "", b"\x00")),
    ],
)
def test_moving_a_boundary_between_parts_changes_the_fingerprint(
    first: tuple[str, str, bytes], second: tuple[str, str, bytes]
) -> None:
    """Parts that concatenate to the same bytes still give different fingerprints."""
    assert fingerprint(*first) != fingerprint(*second)


@given(
    st.tuples(st.text(max_size=8), st.text(max_size=8), st.binary(max_size=8)),
    st.tuples(st.text(max_size=8), st.text(max_size=8), st.binary(max_size=8)),
)
def test_different_requests_never_share_a_fingerprint(
    first: tuple[str, str, bytes], second: tuple[str, str, bytes]
) -> None:
    """Any two different (method, path, body) triples give different fingerprints."""
    assert (fingerprint(*first) == fingerprint(*second)) == (first == second)
