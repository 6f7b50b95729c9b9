"""Trạng thái hồ sơ (dossier status): our states, their national codes and the allowed moves.

The states are a superset of the DVCQG status codes 1-10 (domain reference
§3.1-3.2). Every state maps to exactly one national code; the extra state
INTAKE_INCOMPLETE maps to 1 because such a dossier has not been received
yet: no clock runs, and counting it under 5 would put an unreceived dossier
into the in-progress columns of the reports.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Trạng thái hồ sơ: where a dossier stands."""

    SUBMITTED = "submitted"  # 1 Mới đăng ký: awaiting the one-stop check
    INTAKE_INCOMPLETE = "intake_incomplete"  # 1: sent back for completion (Mẫu 02), no clock
    RECEIVED = "received"  # 2 Được tiếp nhận
    REJECTED = "rejected"  # 3 Không được tiếp nhận
    PROCESSING = "processing"  # 4 Đang xử lý (inter-agency steps included)
    SUPPLEMENT_REQUESTED = "supplement_requested"  # 5 Yêu cầu bổ sung giấy tờ
    AWAITING_PAYMENT = "awaiting_payment"  # 6 Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = "withdrawn"  # 7 Công dân yêu cầu rút hồ sơ
    STOPPED = "stopped"  # 8 Dừng xử lý
    RESULT_READY = "result_ready"  # 9 Đã xử lý xong
    RETURNED = "returned"  # 10 Đã trả kết quả

    @property
    def national_code(self) -> int:
        """The DVCQG status code (TrangThaiHoSo)."""
        return _NATIONAL[self]

    @property
    def label(self) -> str:
        """The national label in Vietnamese."""
        return _LABELS[_NATIONAL[self]]

    @property
    def is_terminal(self) -> bool:
        """Whether the dossier's status can no longer change."""
        return self in TERMINAL

    @property
    def is_open(self) -> bool:
        """Received and not yet finished: the clock matters (statuses 2, 4, 5, 6)."""
        return self in OPEN


_NATIONAL: dict[Status, int] = {
    Status.SUBMITTED: 1,
    Status.INTAKE_INCOMPLETE: 1,
    Status.RECEIVED: 2,
    Status.REJECTED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.AWAITING_PAYMENT: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
}

_LABELS: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

TERMINAL = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
OPEN = frozenset(
    {
        Status.RECEIVED,
        Status.PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.AWAITING_PAYMENT,
    }
)

_S = Status
ALLOWED: dict[str, frozenset[Status]] = {
    "request_intake_supplement": frozenset({_S.SUBMITTED}),
    "resubmit": frozenset({_S.INTAKE_INCOMPLETE}),
    "accept": frozenset({_S.SUBMITTED}),
    "reject": frozenset({_S.SUBMITTED}),
    "assign": frozenset({_S.RECEIVED, _S.PROCESSING}),
    "complete_step": frozenset({_S.RECEIVED, _S.PROCESSING}),
    "return_step": frozenset({_S.PROCESSING}),
    "hand_over": frozenset({_S.PROCESSING}),
    "take_back": frozenset({_S.PROCESSING}),
    "request_supplement": frozenset({_S.PROCESSING}),
    "submit_supplement": frozenset({_S.SUPPLEMENT_REQUESTED}),
    "accept_supplement": frozenset({_S.SUPPLEMENT_REQUESTED}),
    "request_payment": frozenset({_S.PROCESSING, _S.RESULT_READY}),
    "record_payment": frozenset({_S.AWAITING_PAYMENT}),
    "extend": frozenset({_S.RECEIVED, _S.PROCESSING, _S.SUPPLEMENT_REQUESTED, _S.AWAITING_PAYMENT}),
    "issue_result": frozenset({_S.RECEIVED, _S.PROCESSING}),
    "return_result": frozenset({_S.RESULT_READY}),
    "confirm_delivery": frozenset({_S.RETURNED}),
    "stop": frozenset({_S.PROCESSING, _S.SUPPLEMENT_REQUESTED}),
    "withdraw": frozenset(
        {
            _S.SUBMITTED,
            _S.INTAKE_INCOMPLETE,
            _S.RECEIVED,
            _S.PROCESSING,
            _S.SUPPLEMENT_REQUESTED,
            _S.AWAITING_PAYMENT,
        }
    ),
    "return_papers": frozenset({_S.STOPPED, _S.WITHDRAWN}),
    "rate": frozenset({_S.RETURNED, _S.REJECTED, _S.WITHDRAWN, _S.STOPPED}),
}
"""For each command (by its method name), the states it may be given in (§3.2)."""


def allowed_actions(status: Status) -> tuple[str, ...]:
    """The commands a dossier in ``status`` accepts, in a stable order."""
    return tuple(action for action, states in ALLOWED.items() if status in states)
