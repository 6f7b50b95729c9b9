"""The pure model of the one-stop system (cơ chế một cửa, một cửa liên thông).

Glossary, Vietnamese term -> identifier:

- thủ tục hành chính (TTHC, administrative procedure) -> ``Procedure``
- hồ sơ (dossier) -> ``Dossier``
- lịch làm việc (working calendar) -> ``WorkingCalendar``
- chính sách lịch (calendar policy: national base plus local decisions) -> ``CalendarPolicy``
- giờ làm việc, buổi (office hours, session) -> ``OfficeHours``, ``Session``
- ngày nghỉ lễ, nghỉ bù (public holiday, compensatory day off) -> ``Holiday``
- ngày làm bù (weekend day made a working day) -> ``DayKind.WORKING_WEEKEND``
- thời hạn giải quyết (time limit) -> ``TimeLimit``
- ngày làm việc, giờ làm việc, ngày, trong ngày -> ``TimeUnit`` members
- thời điểm bắt đầu tính (clock start) -> ``Deadline.clock_start``
- ngày hẹn trả (appointment, Model H) -> ``Deadline.due_at``
- hạn giải quyết theo luật (statutory due date, Model D) -> ``Deadline.statutory_due_date``
- tạm dừng tính thời gian (paused clock) -> ``Pause``, ``ClockPolicy``
- trước hạn, đúng hạn, quá hạn (early, on time, late) -> ``Timeliness``
- mã định danh cơ quan (agency identifier, QCVN 102) -> ``AgencyCode``
- trạng thái hồ sơ (dossier status, DVCQG codes 1-10) -> ``Status``
- mã hồ sơ, sổ cấp mã (dossier code, daily code book) -> ``DossierCode``, ``DailySequence``
- mã tra cứu (lookup secret printed on the receipt) -> ``Dossier.lookup_secret``
- chủ hồ sơ (applicant) -> ``Applicant``; người thực hiện (actor) -> ``Actor``
- nơi tiếp nhận, cơ quan có thẩm quyền (receiving unit, competent agency) -> ``Submission``
- thành phần hồ sơ đã nộp (checklist as handed in) -> ``HandedDocument``
- phiếu yêu cầu bổ sung (Mẫu 02, supplement request) -> ``RequestedDocument``
- phí, lệ phí, nghĩa vụ tài chính (charges to pay) -> ``Charge``
- phiếu xin lỗi và hẹn lại (Mẫu 04, apology and extension) -> ``Dossier.Extended``
- liên thông (interconnected partner agency) -> ``Dossier.HandedToPartner``
- đánh giá mức độ hài lòng (satisfaction) -> ``Satisfaction``
"""
