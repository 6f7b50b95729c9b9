"""Commands: what someone asks the system to do. attrs value objects, never persisted."""

from __future__ import annotations

from attrs import frozen

from domain.procedure_spec import ProcedureSpec, PublicationDecision
from domain.values import LocalCode


@frozen(kw_only=True)
class PublishProcedure:
    """Công bố thủ tục mới."""

    spec: ProcedureSpec
    decision: PublicationDecision


@frozen(kw_only=True)
class AmendProcedure:
    """Sửa đổi, bổ sung thủ tục: the new content, under the same local code."""

    spec: ProcedureSpec
    decision: PublicationDecision


@frozen(kw_only=True)
class ReplaceProcedure:
    """Thay thế thủ tục ``code`` by ``successor``."""

    code: LocalCode
    successor: LocalCode
    decision: PublicationDecision


@frozen(kw_only=True)
class AbolishProcedure:
    """Bãi bỏ thủ tục ``code``."""

    code: LocalCode
    decision: PublicationDecision
