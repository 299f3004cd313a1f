"""The framework file's errors for people: the checker and the workbook's parser speak English (the
command line's language, and the workbook imports nothing of Django); the portal shows the same
errors in the reader's language. Each known English sentence is matched once here and given as
a translatable Vietnamese sentence with the same values; an unknown one is shown as it is."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

Q = r"'(?P<%s>[^']*)'"
PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(p), message)
    for p, message in [
        (r"^the sheet is missing$", _("thiếu trang tính này")),
        (r"^this required column is missing$", _("thiếu cột bắt buộc này")),
        (r"^a node needs a code$", _("chỉ số cần có mã")),
        (r"^a node needs a name$", _("chỉ số cần có tên")),
        (r"^a pillar needs a code$", _("trụ cột cần có mã")),
        (r"^a node cannot be its own parent$", _("chỉ số không thể là cha của chính nó")),
        (r"^unknown rule.*$", _("quy tắc chấm không có trong danh mục (docs/rules.md)")),
        (r"^params must be a JSON object \{\.\.\.\}$", _("tham số phải là một đối tượng JSON {...}")),
        (r"^params are given but the rule is empty$", _("có tham số nhưng chưa có quy tắc chấm")),
        (r"^bands go from the highest to the lowest$", _("các mức xếp loại đi từ cao xuống thấp")),
        (r"^only the lowest band may have an empty lower bound$",
         _("chỉ mức thấp nhất được để trống cận dưới")),
        (r"^basis must be 'percent' or 'points'$", _("căn cứ phải là “percent” hoặc “points”")),
        (r"^scheme must be 'total' or 'pillar'$", _("thang phải là “total” hoặc “pillar”")),
        (r"^no number given$", _("chưa có số")),
        (r"^%s is not a number$" % (Q % "text"), _("“%(text)s” không phải là số")),
        (r"^%s is not a whole number$" % (Q % "text"), _("“%(text)s” không phải số nguyên")),
        (r"^%s is not a properly written number$" % (Q % "text"),
         _("“%(text)s” không phải số viết đúng cách")),
        (r"^%s is not yes or no$" % (Q % "text"), _("“%(text)s” không phải yes hoặc no")),
        (r"^%s is not a year$" % (Q % "text"), _("“%(text)s” không phải là năm")),
        (r"^parent %s is not a code of this framework$" % (Q % "code"),
         _("chỉ số cha “%(code)s” không có trong bộ chỉ số này")),
        (r"^%s is not a code on the pillars sheet$" % (Q % "code"),
         _("“%(code)s” không phải mã trên trang pillars")),
        (r"^the code %s is used twice \(first on row (?P<row>\d+)\)$" % (Q % "code"),
         _("mã “%(code)s” bị dùng hai lần (lần đầu ở dòng %(row)s)")),
        (r"^pillar %s is listed twice$" % (Q % "code"), _("trụ cột “%(code)s” bị liệt kê hai lần")),
        (r"^%s is set twice$" % (Q % "key"), _("“%(key)s” được khai hai lần")),
        (r"^unknown key %s.*$" % (Q % "key"), _("khóa “%(key)s” không được biết đến")),
        (r"^at most (?P<n>\d+) decimal places$", _("tối đa %(n)s chữ số thập phân")),
        (r"^at most (?P<n>\d+) characters$", _("tối đa %(n)s ký tự")),
        (r"^must be less than (?P<n>\d+)$", _("phải nhỏ hơn %(n)s")),
        (r"^a (?P<what>[\w ]+) is required$", _("cần có %(what)s")),
        (r"^total_max is (?P<stated>\S+) but the framework's scored roots sum to (?P<total>\S+)$",
         _("thang điểm ghi %(stated)s nhưng tổng điểm các nhóm gốc là %(total)s")),
    ]
]  # fmt: skip


def message_text(message: str) -> str:
    """The checker's English sentence in the reader's language, where it is a known one."""
    for pattern, template in PATTERNS:
        found = pattern.match(message)
        if found:
            return str(template) % found.groupdict()
    return message
