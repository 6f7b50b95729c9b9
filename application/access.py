"""Phân quyền (access rules): which roles may do what, and to which dossiers.

Every command and every view has one explicit rule: a map from each role
that may use it to the scope that role has.

- ``RECEIVING``: dossiers received (or to be received) by one of the
  principal's agencies (nơi tiếp nhận);
- ``COMPETENT``: dossiers whose competent agency (cơ quan có thẩm quyền) is
  one of the principal's agencies;
- ``EITHER``: one or the other;
- ``OWN``: an applicant's own dossiers: those they submitted, or those whose
  applicant has their personal id number;
- ``ANY``: not scoped (integrations acting as ``system``, catalog admins).

A principal with several roles acts under the first role, in the rule's
order, that grants the action; that role and the agency in scope are what the
event records as its actor.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from attrs import field, frozen

from application.errors import ApplicationError
from domain.dossier import Dossier
from domain.dossier_values import Actor, Role, Submission
from domain.values import AgencyCode


class Scope(StrEnum):
    """Which dossiers a role reaches."""

    RECEIVING = "receiving_unit"
    COMPETENT = "competent_agency"
    EITHER = "receiving_unit_or_competent_agency"
    OWN = "own"
    ANY = "any"


@frozen(kw_only=True)
class Principal:
    """Who calls: a signed-in user (or system), with roles and the agencies they work for."""

    subject: str
    name: str = ""
    roles: frozenset[Role]
    agencies: frozenset[AgencyCode] = field(factory=frozenset)
    id_number: str | None = None  # the person's id number (VNeID), for applicants


Rule = Mapping[Role, Scope]

_I, _H, _U, _L = Role.INTAKE_OFFICER, Role.HANDLER, Role.UNIT_HEAD, Role.LEADER
_C, _AU, _AP, _SY = Role.RECORDS_CLERK, Role.AUDITOR, Role.APPLICANT, Role.SYSTEM
_R, _P, _E, _O, _ANY = Scope.RECEIVING, Scope.COMPETENT, Scope.EITHER, Scope.OWN, Scope.ANY

COMMANDS: dict[str, Rule] = {
    # opening: the scope is the submission's (the owner is whoever submits)
    "receive": {_I: _R},
    "submit_online": {_AP: _O, _SY: _ANY},
    "submit_by_post": {_I: _R, _SY: _ANY},
    # intake, at the one-stop unit
    "accept": {_I: _R},
    "reject": {_I: _R},
    "request_intake_supplement": {_I: _R},
    "resubmit": {_AP: _O, _I: _R},
    # processing, at the competent agency
    "assign": {_U: _P, _L: _P},
    "complete_step": {_H: _P, _U: _P, _L: _P},
    "return_step": {_U: _P, _L: _P},
    "hand_over": {_H: _P, _U: _P},
    "take_back": {_H: _P, _U: _P, _SY: _ANY},
    "issue_result": {_L: _P, _C: _P},
    "extend": {_L: _P, _U: _P},
    "stop": {_L: _P, _U: _P},
    # pauses: asked by the handler or through the one-stop unit, answered by the applicant
    "request_supplement": {_H: _P, _U: _P, _I: _R},
    "submit_supplement": {_AP: _O, _I: _R},
    "accept_supplement": {_I: _R},
    "request_payment": {_H: _P, _U: _P, _I: _R},
    "record_payment": {_I: _R},
    "confirm_online_payment": {_SY: _ANY},
    # results and endings, back at the one-stop unit
    "return_result": {_I: _R, _SY: _ANY},
    "confirm_delivery": {_SY: _ANY, _I: _R},
    "withdraw": {_AP: _O, _I: _R},
    "return_papers": {_I: _R},
    "rate": {_AP: _O, _I: _R},
}
"""For each dossier command (by its service method's name), who may give it."""

_STAFF_READ: Rule = {_I: _E, _H: _E, _U: _E, _L: _E, _C: _E}
VIEWS: dict[str, Rule] = {
    "dossier": {**_STAFF_READ, _AU: _E, _AP: _O, _SY: _ANY},
    "queue": _STAFF_READ,
    # Each agency reads its own register: the dossiers it received, decides, or was handed as a
    # partner (liên thông). Views are scoped by agency, so a partner's staff read theirs too.
    "register": {**_STAFF_READ, _AU: _E},
    "statistics": {_U: _E, _L: _E, _AU: _E, _SY: _ANY},
    "catalog": {Role.CATALOG_ADMIN: _ANY},
    # Hồ sơ của tôi: an applicant lists their own dossiers, chosen by the token's subject and
    # id number alone (never by a parameter). Staff read dossiers through their agencies.
    "my_dossiers": {_AP: _O},
}
"""For each view (and the catalog's decisions), who may use it."""


class AccessDeniedError(ApplicationError):
    """The principal may not do ``action`` (here): no role of theirs, or out of their scope."""

    def __init__(self, *, action: str, reason: str, roles: tuple[str, ...] = ()) -> None:
        self.action = action
        self.reason = reason
        self.roles = roles  # the roles that could, in their scope
        super().__init__(f"not allowed to {action.replace('_', ' ')}: {reason}")


def act_on(principal: Principal, action: str, dossier: Dossier) -> Actor:
    """The actor ``principal`` acts as when giving ``action`` to ``dossier``."""
    return _first_grant(principal, action, COMMANDS[action], dossier.submission, dossier.opened_by)


def may(principal: Principal, action: str, dossier: Dossier) -> bool:
    """Whether ``principal`` may give ``action`` to ``dossier`` (its status aside)."""
    try:
        act_on(principal, action, dossier)
    except AccessDeniedError:
        return False
    return True


def act_on_new(principal: Principal, action: str, submission: Submission) -> Actor:
    """The actor ``principal`` acts as when opening a dossier with ``submission``."""
    return _first_grant(principal, action, COMMANDS[action], submission, principal.subject)


def read(principal: Principal, dossier: Dossier) -> Actor:
    """The actor ``principal`` reads ``dossier`` as; refused if out of scope."""
    return _first_grant(
        principal, "read_dossier", VIEWS["dossier"], dossier.submission, dossier.opened_by
    )


def view_agencies(principal: Principal, view: str) -> frozenset[AgencyCode] | None:
    """The agencies whose rows ``principal`` may see in ``view``; ``None``: every agency."""
    rule = VIEWS[view]
    granted = [rule[role] for role in principal.roles if role in rule]
    if not granted:
        raise _no_role(view, rule)
    if Scope.ANY in granted:
        return None
    if not principal.agencies:
        raise AccessDeniedError(action=view, reason="the token names no agency")
    return principal.agencies


def require(principal: Principal, view: str, agency: AgencyCode | None) -> AgencyCode | None:
    """``agency`` if ``principal`` may see it in ``view``; refuse any other agency."""
    allowed = view_agencies(principal, view)
    if allowed is not None and agency is not None and agency not in allowed:
        raise AccessDeniedError(action=view, reason=f"agency {agency} is not one of yours")
    return agency


def _first_grant(
    principal: Principal, action: str, rule: Rule, submission: Submission, owner: str | None
) -> Actor:
    for role, scope in rule.items():
        if role not in principal.roles:
            continue
        if scope is Scope.ANY:
            return Actor(principal.subject, role)
        if scope is Scope.OWN:
            if _owns(principal, submission, owner):
                return Actor(principal.subject, role)
            continue
        agency = _agency_in_scope(principal, scope, submission)
        if agency is not None:
            return Actor(principal.subject, role, agency)
    if any(role in principal.roles for role in rule):
        raise AccessDeniedError(
            action=action,
            reason="the dossier is outside your agencies or not yours",
            roles=tuple(rule),
        )
    raise _no_role(action, rule)


def _owns(principal: Principal, submission: Submission, owner: str | None) -> bool:
    if principal.subject == owner:
        return True
    return principal.id_number is not None and principal.id_number == submission.applicant.id_number


def _agency_in_scope(
    principal: Principal, scope: Scope, submission: Submission
) -> AgencyCode | None:
    candidates = {
        Scope.RECEIVING: (submission.receiving_unit,),
        Scope.COMPETENT: (submission.competent_agency,),
        Scope.EITHER: (submission.receiving_unit, submission.competent_agency),
    }[scope]
    return next((agency for agency in candidates if agency in principal.agencies), None)


def _no_role(action: str, rule: Rule) -> AccessDeniedError:
    names = tuple(str(role) for role in rule)
    return AccessDeniedError(
        action=action, reason=f"needs one of the roles {', '.join(names)}", roles=names
    )
