"""Bearer tokens (JWT): verified against an identity provider's keys, or a local development key.

Production verifies signatures only, never issues: with ``jwks_url`` (an OIDC
provider such as a province's single sign-on) or a PEM ``public_key``.
Without either, the system runs in development mode: it signs and verifies
with a local Ed25519 key kept in a file, and ``motcua token issue`` makes
tokens for any user, role and agency. The README says never to run a
deployment that way.

Claims: ``sub`` (user id), ``name``, ``roles`` (list), ``agencies`` (list of
QCVN 102 codes), optionally ``id_number`` (an applicant's personal id), and
the usual ``exp``, ``iat``, ``iss``, ``aud``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from attrs import frozen
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.access import Principal
from application.errors import InvalidTokenError
from domain.dossier_values import Role
from domain.errors import InvalidValueError
from domain.values import AgencyCode

DEV_ISSUER = "motcua-dev"
AUDIENCE = "motcua"
LEEWAY = timedelta(seconds=30)
REMEMBERED = 4096
"""How many verified tokens a process remembers (the most recently used)."""


@frozen(kw_only=True)
class TokenSettings:
    """Where verification keys come from, and what issuer and audience tokens must name."""

    jwks_url: str | None = None
    public_key: str | None = None  # PEM text
    algorithms: tuple[str, ...] = ("RS256", "ES256", "EdDSA")
    issuer: str | None = None
    audience: str = AUDIENCE
    dev_key_file: Path | None = Path("var/dev-signing-key.pem")  # None: a key for this process

    @property
    def development(self) -> bool:
        """No identity provider is configured: tokens are signed with the local key."""
        return self.jwks_url is None and self.public_key is None


class Tokens:
    """Verifies bearer tokens into principals; in development mode also issues them.

    A token verified once is remembered until it expires: a client sends the
    same token with every request, and checking its signature again (a fifth
    of a reception's cost) would change nothing, since a token's claims and
    signature never change. Only its expiry does, and a remembered token is
    refused from the moment it expires, exactly as a fresh check would.
    """

    def __init__(self, settings: TokenSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None
        self._dev_key: Ed25519PrivateKey | None = None
        self._public_key: Any = None
        self._clock = clock
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._guard = threading.Lock()

    def verify(self, token: str) -> Principal:
        """The principal a valid token names; ``InvalidTokenError`` otherwise."""
        with self._guard:
            known = self._verified.get(token)
            if known is not None:
                self._verified.move_to_end(token)
        principal, expires = known or self._check(token)
        if self._clock() >= expires:
            with self._guard:
                self._verified.pop(token, None)
            raise InvalidTokenError(reason="Signature has expired")
        if known is not None:
            return principal
        with self._guard:
            self._verified[token] = (principal, expires)
            if len(self._verified) > REMEMBERED:
                self._verified.popitem(last=False)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        """The token's principal and the moment (epoch seconds) it stops being accepted."""
        try:
            claims = jwt.decode(
                token,
                key=self._verification_key(token),
                algorithms=self._algorithms(),
                audience=self.settings.audience,
                issuer=self._issuer(),
                leeway=LEEWAY,
                options={"require": ["sub", "exp", "iat"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(reason=str(error)) from None
        return principal_from(claims), float(claims["exp"]) + LEEWAY.total_seconds()

    def issue(  # noqa: PLR0913 (one argument per claim)
        self,
        *,
        subject: str,
        roles: Iterable[Role],
        agencies: Iterable[AgencyCode] = (),
        name: str = "",
        id_number: str | None = None,
        lifetime: timedelta = timedelta(hours=8),
        now: datetime | None = None,
    ) -> str:
        """A development token; refused when an identity provider is configured."""
        if not self.settings.development:
            raise InvalidTokenError(
                reason="tokens are issued by the identity provider, not by motcua, "
                "when MOTCUA_JWT_JWKS_URL or MOTCUA_JWT_PUBLIC_KEY is set"
            )
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": subject,
            "name": name,
            "roles": [str(role) for role in roles],
            "agencies": [str(agency) for agency in agencies],
            "iss": DEV_ISSUER,
            "aud": self.settings.audience,
            "iat": issued,
            "exp": issued + lifetime,
        }
        if id_number:
            claims["id_number"] = id_number
        return jwt.encode(claims, self._signing_key(), algorithm="EdDSA")

    def _verification_key(self, token: str) -> Any:  # noqa: ANN401 (PyJWT accepts several key types)
        if self._jwks is not None:
            try:
                return self._jwks.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientError as error:
                raise InvalidTokenError(reason=f"signing key: {error}") from None
        if self.settings.public_key is not None:
            if self._public_key is None:
                self._public_key = serialization.load_pem_public_key(
                    self.settings.public_key.encode()
                )
            return self._public_key
        return self._signing_key().public_key()

    def _algorithms(self) -> list[str]:
        return ["EdDSA"] if self.settings.development else list(self.settings.algorithms)

    def _issuer(self) -> str | None:
        return DEV_ISSUER if self.settings.development else self.settings.issuer

    def _signing_key(self) -> Ed25519PrivateKey:
        if self._dev_key is None:
            path = self.settings.dev_key_file
            self._dev_key = load_or_create_dev_key(path) if path else Ed25519PrivateKey.generate()
        return self._dev_key


def load_or_create_dev_key(path: Path) -> Ed25519PrivateKey:
    """The development signing key in ``path``, made (readable by its owner only) if missing.

    Processes starting together agree on one key: the file appears whole or
    not at all (written aside, then linked into place), and the first wins.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        aside = path.with_name(f".{path.name}.{os.getpid()}")
        aside.touch(mode=0o600)
        aside.write_bytes(pem)
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
        aside.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidTokenError(reason=f"{path} does not hold an Ed25519 private key")
    return key


def principal_from(claims: dict[str, Any]) -> Principal:
    """The principal the claims describe; unknown roles and malformed agencies are refused."""
    try:
        roles = frozenset(Role(role) for role in _strings(claims, "roles"))
        agencies = frozenset(AgencyCode(code) for code in _strings(claims, "agencies"))
    except (ValueError, InvalidValueError) as error:
        raise InvalidTokenError(reason=f"claims: {error}") from None
    id_number = claims.get("id_number")
    return Principal(
        subject=str(claims["sub"]),
        name=str(claims.get("name") or ""),
        roles=roles,
        agencies=agencies,
        id_number=id_number if isinstance(id_number, str) and id_number else None,
    )


def _strings(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidTokenError(reason=f"claim {name} must be a list of strings")
    return value
