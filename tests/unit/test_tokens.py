"""Bearer tokens: development keys, a configured public key, and an identity provider's JWKS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from adapters.tokens import Tokens, TokenSettings
from application.errors import InvalidTokenError
from domain.dossier_values import Role
from domain.values import AgencyCode

CENTRE = AgencyCode("000.00.12.H56")
ISSUER = "https://sso.thanhhoa.gov.vn"


def dev_tokens(tmp_path: Path) -> Tokens:
    """Development mode, with its key in a temporary file."""
    return Tokens(TokenSettings(dev_key_file=tmp_path / "key.pem"))


def claims(**changes: Any) -> dict[str, Any]:
    """The claims of a handler at the centre, valid for an hour."""
    now = datetime.now(UTC)
    base = {
        "sub": "handler-1",
        "name": "Lê Văn Minh",
        "roles": ["handler"],
        "agencies": [CENTRE.value],
        "iss": ISSUER,
        "aud": "motcua",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    return {**base, **changes}


@pytest.fixture
def provider_key() -> ec.EllipticCurvePrivateKey:
    """The identity provider's signing key."""
    return ec.generate_private_key(ec.SECP256R1())


def test_a_development_token_names_its_principal(tmp_path: Path) -> None:
    """Issued and verified locally: subject, name, roles, agencies and id number come back."""
    tokens = dev_tokens(tmp_path)
    token = tokens.issue(
        subject="citizen-1",
        name="Nguyễn Thị Hoa",
        roles=[Role.APPLICANT],
        id_number="038190000123",
    )
    principal = tokens.verify(token)
    assert principal.subject == "citizen-1"
    assert principal.name == "Nguyễn Thị Hoa"
    assert principal.roles == frozenset({Role.APPLICANT})
    assert principal.id_number == "038190000123"


def test_the_development_key_is_private_and_shared_by_processes(tmp_path: Path) -> None:
    """The key file is readable by its owner only, and another instance accepts its tokens."""
    first = dev_tokens(tmp_path)
    token = first.issue(subject="u", roles=[Role.HANDLER], agencies=[CENTRE])
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    assert dev_tokens(tmp_path).verify(token).subject == "u"


def test_an_expired_token_is_refused(tmp_path: Path) -> None:
    """A token past its lifetime (beyond the leeway) is invalid."""
    tokens = dev_tokens(tmp_path)
    old = datetime.now(UTC) - timedelta(hours=9)
    token = tokens.issue(subject="u", roles=[Role.HANDLER], now=old)
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify(token)


def test_a_remembered_token_is_refused_once_it_expires(tmp_path: Path) -> None:
    """Verified once, a token is not checked again, but its expiry (with the leeway) still holds."""
    now = [datetime.now(UTC).timestamp()]
    tokens = Tokens(TokenSettings(dev_key_file=tmp_path / "key.pem"), clock=lambda: now[0])
    token = tokens.issue(subject="u", roles=[Role.HANDLER], lifetime=timedelta(minutes=5))
    assert tokens.verify(token).subject == "u"
    now[0] += 5 * 60 + 29
    assert tokens.verify(token).subject == "u"
    now[0] += 2
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify(token)
    with pytest.raises(InvalidTokenError, match="expired"):
        tokens.verify(token)


def test_a_refused_token_is_not_remembered(tmp_path: Path) -> None:
    """A token that failed once fails again: only verified tokens are remembered."""
    token = dev_tokens(tmp_path / "a").issue(subject="u", roles=[Role.LEADER])
    tokens = dev_tokens(tmp_path / "b")
    for _ in range(2):
        with pytest.raises(InvalidTokenError):
            tokens.verify(token)


def test_a_token_of_another_key_is_refused(tmp_path: Path) -> None:
    """A development token of another installation does not verify here."""
    token = dev_tokens(tmp_path / "a").issue(subject="u", roles=[Role.LEADER])
    with pytest.raises(InvalidTokenError):
        dev_tokens(tmp_path / "b").verify(token)


def test_a_public_key_verifies_the_providers_tokens(
    provider_key: ec.EllipticCurvePrivateKey,
) -> None:
    """With a PEM public key, tokens signed by the provider verify; issuing is refused."""
    pem = provider_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    tokens = Tokens(TokenSettings(public_key=pem.decode(), issuer=ISSUER))
    token = jwt.encode(claims(), provider_key, algorithm="ES256")
    principal = tokens.verify(token)
    assert (principal.subject, principal.agencies) == ("handler-1", frozenset({CENTRE}))
    with pytest.raises(InvalidTokenError, match="identity provider"):
        tokens.issue(subject="u", roles=[Role.HANDLER])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://elsewhere"}, "(?i)issuer"),
        ({"aud": "another-app"}, "(?i)audience"),
        ({"roles": ["superuser"]}, "claims"),
        ({"agencies": ["H56"]}, "claims"),
        ({"roles": "handler leader", "agencies": 7}, "agencies"),
    ],
)
def test_wrong_claims_are_refused(
    provider_key: ec.EllipticCurvePrivateKey, changes: dict[str, Any], reason: str
) -> None:
    """Another issuer or audience, an unknown role or a malformed agency: invalid."""
    pem = provider_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    tokens = Tokens(TokenSettings(public_key=pem.decode(), issuer=ISSUER))
    with pytest.raises(InvalidTokenError, match=reason):
        tokens.verify(jwt.encode(claims(**changes), provider_key, algorithm="ES256"))


@pytest.fixture
def jwks_url(provider_key: ec.EllipticCurvePrivateKey) -> Iterator[str]:
    """A local identity provider serving its public key as a JWKS document."""
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(provider_key.public_key()))
    document = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "ES256"}]})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document.encode())

        def log_message(self, *_: object) -> None:
            """Quiet."""

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_a_jwks_url_verifies_tokens_by_key_id(
    provider_key: ec.EllipticCurvePrivateKey, jwks_url: str
) -> None:
    """With a JWKS URL, the key named by the token's kid verifies it; an unknown kid is refused."""
    tokens = Tokens(TokenSettings(jwks_url=jwks_url, issuer=ISSUER))
    token = jwt.encode(claims(), provider_key, algorithm="ES256", headers={"kid": "k1"})
    assert tokens.verify(token).subject == "handler-1"
    unknown = jwt.encode(claims(), provider_key, algorithm="ES256", headers={"kid": "k9"})
    with pytest.raises(InvalidTokenError, match="signing key"):
        tokens.verify(unknown)
