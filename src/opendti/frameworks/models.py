"""Frameworks (bộ chỉ số) as data: a versioned tree of nodes with rules, pillars and band schemes.

A framework belongs to one assessed level (departments, districts, communes, provinces…), which is
itself a row, so the 2025 reform (no district level, merged communes) needs no code change.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

POINTS: dict[str, Any] = {"max_digits": 12, "decimal_places": 4}


class Level(models.Model):
    code = models.SlugField(_("mã"), max_length=50, unique=True)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        verbose_name = _("cấp đánh giá")
        verbose_name_plural = _("cấp đánh giá")

    def __str__(self) -> str:
        return self.name


class Framework(models.Model):
    code = models.SlugField(_("mã"), max_length=80)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên"), max_length=300)
    year = models.PositiveIntegerField(_("năm"))
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name=_("cấp đánh giá"))
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    decision_issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    # The national document the provincial decision rests on, as the report cites it ("Quyết
    # định số 922/QĐ-BTTTT ngày 20 tháng 5 năm 2022 của Bộ trưởng Bộ Thông tin và Truyền
    # thông …"); empty when the framework names none (the report then says so).
    national_basis = models.CharField(_("căn cứ cấp trung ương"), max_length=500, blank=True)
    total_max = models.DecimalField(_("thang điểm"), null=True, blank=True, **POINTS)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")
        ordering = ["-year", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Pillar(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="pillars")
    code = models.CharField(_("mã"), max_length=50)
    name = models.CharField(_("tên"), max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("trụ cột")
        verbose_name_plural = _("trụ cột")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="pillar_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Node(models.Model):
    class Kind(models.TextChoices):
        GROUP = "group", _("nhóm chỉ số")
        MAIN = "main", _("chỉ số chính")
        COMPONENT = "component", _("chỉ số thành phần")
        CRITERION = "criterion", _("tiêu chí")

    class Source(models.TextChoices):
        SELF = "self", _("đơn vị tự báo cáo")
        AUTO = "auto", _("đo tự động")
        REVIEWER = "reviewer", _("tổ thẩm định chấm")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("mã"), max_length=50)
    name = models.TextField(_("tên"))
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    max_points = models.DecimalField(_("điểm tối đa"), **POINTS)
    scored = models.BooleanField(_("tính điểm"), default=True)
    pillars = models.ManyToManyField(
        Pillar, blank=True, related_name="nodes", verbose_name=_("trụ cột")
    )
    rule = models.CharField(_("quy tắc chấm"), max_length=30, blank=True)
    # JSON text, not a JSON column: PostgreSQL's jsonb reorders object keys, and the order of a
    # rule's choices is what the unit sees in its form.
    params = models.TextField(_("tham số (JSON)"), blank=True)
    applies_to = models.JSONField(_("áp dụng cho nhóm"), default=list, blank=True)
    guidance = models.TextField(_("hướng dẫn"), blank=True)
    evidence_required = models.BooleanField(_("bắt buộc tài liệu kiểm chứng"), default=False)
    source = models.CharField(
        _("nguồn dữ liệu"), max_length=10, choices=Source.choices, default=Source.SELF
    )
    verifier = models.CharField(_("đơn vị phối hợp xác minh"), max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="node_code_unique"),
            models.CheckConstraint(
                condition=models.Q(max_points__gte=0), name="node_max_points_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class InputSpec(models.Model):
    """An input a leaf's rule reads, as declared by the rule: the widget, unit and bounds."""

    class Type(models.TextChoices):
        NUMBER = "number", _("số")
        INTEGER = "integer", _("số nguyên (số đếm)")
        PERCENT = "percent", _("tỷ lệ %")
        YESNO = "yesno", _("có/không")
        CHOICE = "choice", _("lựa chọn")
        DATE = "date", _("ngày")
        TEXT = "text", _("văn bản")

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="inputs")
    name = models.CharField(_("tên đầu vào"), max_length=50, blank=True)
    label = models.CharField(_("nhãn"), max_length=300, blank=True)
    type = models.CharField(_("kiểu"), max_length=10, choices=Type.choices)
    unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    min_value = models.DecimalField(
        _("giá trị nhỏ nhất"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    max_value = models.DecimalField(
        _("giá trị lớn nhất"), null=True, blank=True, max_digits=20, decimal_places=6
    )
    choices = models.JSONField(_("các lựa chọn"), default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("đầu vào")
        verbose_name_plural = _("đầu vào")
        ordering = ["node", "order"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="input_name_unique")]


class BandScheme(models.Model):
    class Scope(models.TextChoices):
        TOTAL = "total", _("tổng điểm")
        PILLAR = "pillar", _("trụ cột")

    class Basis(models.TextChoices):
        PERCENT = "percent", _("% điểm tối đa")
        POINTS = "points", _("điểm")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="band_schemes")
    scope = models.CharField(_("áp dụng cho"), max_length=10, choices=Scope.choices)
    basis = models.CharField(_("căn cứ"), max_length=10, choices=Basis.choices)

    class Meta:
        verbose_name = _("thang xếp loại")
        verbose_name_plural = _("thang xếp loại")
        constraints = [
            models.UniqueConstraint(fields=["framework", "scope"], name="band_scheme_scope_unique")
        ]


class Band(models.Model):
    scheme = models.ForeignKey(BandScheme, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(_("mức"), max_length=100)
    lower = models.DecimalField(_("cận dưới"), null=True, blank=True, **POINTS)
    lower_inclusive = models.BooleanField(_("bao gồm cận dưới"), default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mức xếp loại")
        verbose_name_plural = _("mức xếp loại")
        ordering = ["scheme", "order"]


class NodeMapping(models.Model):
    """A node of an older framework version and its counterpart in a newer one, as the coordinator
    states it: needed when an indicator changed its code, or to override what the same code would
    imply. `comparable` says whether the two years' scores may be set side by side."""

    source = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="mapped_to",
        verbose_name=_("chỉ số ở phiên bản cũ"),
    )
    target = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="mapped_from",
        verbose_name=_("chỉ số ở phiên bản mới"),
    )
    comparable = models.BooleanField(_("so sánh được"), default=True)
    note = models.TextField(_("ghi chú"), blank=True, help_text=_("vì sao so sánh được hay không"))

    class Meta:
        verbose_name = _("đối chiếu chỉ số giữa hai phiên bản")
        verbose_name_plural = _("đối chiếu chỉ số giữa hai phiên bản")
        ordering = ["target", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="node_mapping_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="node_mapping_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code}"
