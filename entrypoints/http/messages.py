"""Vietnamese wording of actions and rules.

The domain names actions and rules in English identifiers; what a
Vietnamese officer reads comes from here. Unknown names fall back to a
generic sentence that still names the identifier, never to silence.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    # domain action (or access rule) -> Vietnamese verb phrase
    "receive": "tiếp nhận hồ sơ trực tiếp",
    "submit_online": "nộp hồ sơ trực tuyến",
    "submit_by_post": "tiếp nhận hồ sơ qua bưu chính",
    "accept": "tiếp nhận",
    "reject": "từ chối tiếp nhận",
    "request_intake_supplement": "yêu cầu bổ sung, hoàn thiện",
    "resubmit": "nộp lại",
    "assign": "phân công xử lý",
    "complete_step": "chuyển bước tiếp theo",
    "return_step": "trả lại bước trước",
    "hand_over": "chuyển liên thông",
    "take_back": "nhận kết quả liên thông",
    "request_supplement": "yêu cầu bổ sung",
    "submit_supplement": "nộp bổ sung",
    "accept_supplement": "tiếp nhận hồ sơ bổ sung",
    "request_payment": "yêu cầu thực hiện nghĩa vụ tài chính",
    "record_payment": "ghi nhận thanh toán",
    "confirm_online_payment": "xác nhận thanh toán trực tuyến",
    "extend": "gia hạn, hẹn lại ngày trả kết quả",
    "issue_result": "ban hành kết quả",
    "return_result": "trả kết quả",
    "confirm_delivery": "xác nhận phát thành công",
    "stop": "dừng xử lý",
    "withdraw": "rút hồ sơ",
    "return_papers": "trả lại hồ sơ",
    "rate": "đánh giá mức độ hài lòng",
    "read_dossier": "xem hồ sơ",
    "queue": "xem hàng đợi hồ sơ",
    "register": "xem sổ theo dõi hồ sơ",
    "my_dossiers": "xem hồ sơ của tôi",
    "statistics": "xem báo cáo thống kê",
    "catalog": "quản lý danh mục thủ tục",
}

RULES: dict[str, str] = {
    "already_rated": "hồ sơ đã được đánh giá",
    "amount_mismatch": "số tiền không khớp với số phải nộp",
    "channel_not_offered": "thủ tục không cung cấp hình thức nộp này",
    "charges_required": "cần ít nhất một khoản phải nộp lớn hơn 0 đồng",
    "code_mismatch": "mã hồ sơ không phải mã của nơi tiếp nhận trong ngày",
    "documents_outside_list": "không được yêu cầu giấy tờ ngoài danh mục đã công bố",
    "documents_required": "cần nộp ít nhất một giấy tờ bổ sung",
    "eid_level": "mức định danh điện tử phải là 0, 1 hoặc 2",
    "extension_after_result": "đã có kết quả, không còn gia hạn",
    "extension_limit": "đã hết số lần được hẹn lại ngày trả kết quả",
    "extension_not_later": "ngày hẹn mới phải sau ngày hẹn hiện tại",
    "extension_on_day_off": "ngày hẹn mới rơi vào ngày nghỉ",
    "extension_too_late": "phiếu xin lỗi phải ban hành trước hạn theo quy định",
    "items_required": "cần nêu ít nhất một giấy tờ phải bổ sung",
    "no_current_step": "không có bước xử lý nào đang thực hiện",
    "no_previous_step": "không có bước trước để trả lại",
    "not_in_post": "kết quả không đang chờ phát qua bưu chính",
    "not_received": "hồ sơ chưa được tiếp nhận",
    "nothing_missing": "hồ sơ đã đủ giấy tờ: hãy tiếp nhận hoặc từ chối",
    "papers_already_returned": "hồ sơ đã được trả lại",
    "partner_holds_step": "cơ quan phối hợp đang giữ một bước",
    "partner_not_holding": "cơ quan phối hợp không giữ bước nào của hồ sơ",
    "partner_not_listed": "cơ quan phối hợp không có trong quy trình của thủ tục",
    "partner_pending": "còn chờ kết quả của cơ quan phối hợp",
    "postal_item_code_required": "cần số hiệu bưu gửi",
    "respond_by_past": "hạn bổ sung đã qua",
    "supplement_not_submitted": "chưa nhận được hồ sơ bổ sung",
    "weak_secret": "mã tra cứu phải có ít nhất 6 ký tự",
    "withdrawal_after_result": "đã có kết quả, không thể rút hồ sơ",
    "wrong_procedure": "giấy tờ hoặc trường hợp không thuộc thủ tục này",
}

_FIELDS = {
    "reason": "lý do",
    "outcome": "kết quả xử lý",
    "receiver_name": "tên người nhận",
    "signed_by": "người ký",
    "legal_ground": "căn cứ pháp lý",
}


def action_vi(action: str) -> str:
    """The Vietnamese verb phrase of ``action``."""
    return ACTIONS.get(action, action.replace("_", " "))


def rule_vi(rule: str, dossier: str) -> str:
    """The Vietnamese sentence for a broken dossier rule."""
    if rule in RULES:
        return f"Hồ sơ {dossier}: {RULES[rule]}"
    if rule.endswith("_required"):
        name = rule.removesuffix("_required")
        return f"Hồ sơ {dossier}: cần ghi {_FIELDS.get(name, name.replace('_', ' '))}"
    return f"Hồ sơ {dossier} vi phạm quy tắc {rule}"
