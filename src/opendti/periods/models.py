"""Periods (kỳ đánh giá): a framework version, the participating units in ranking groups, and the
timeline of phases. Scoring settings that vary by period (decimals, not-deployed policy) live here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opendti.frameworks.models import Framework, Node
from opendti.units.models import Unit


class Period(models.Model):
    class Status(models.TextChoices):
        # The order is the process's order; periods/workflow.py says which steps are allowed.
        SELF_ASSESSMENT = "self_assessment", _("tự đánh giá")
        APPRAISAL = "appraisal", _("thẩm định")
        REPLY = "reply", _("phản hồi kết quả dự kiến")
        APPROVAL = "approval", _("chờ phê duyệt")
        APPROVED = "approved", _("đã phê duyệt")
        PUBLISHED = "published", _("đã công bố")

    class Cadence(models.TextChoices):
        ANNUAL = "annual", _("hằng năm")
        QUARTERLY = "quarterly", _("hằng quý")

    class NotDeployed(models.TextChoices):
        EXCLUDE = "exclude", _("không tính vào điểm tối đa")
        ZERO = "zero", _("tính 0 điểm")

    class Display(models.TextChoices):
        POINTS = "points", _("điểm")
        PERCENT = "percent", _("% điểm tối đa")
        INDEX = "index", _("chỉ số 0–1")

    class BandOn(models.TextChoices):
        # The province's decision defines bands on the score ("lớn hơn 75% tổng điểm"): exact.
        EXACT = "exact", _("điểm chính xác so với ngưỡng")
        DISPLAYED = "displayed", _("tỷ lệ % đã làm tròn như công bố")

    code = models.SlugField(_("mã"), max_length=80, unique=True)
    title = models.CharField(_("tên kỳ"), max_length=300)
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveIntegerField(_("năm"))
    label = models.CharField(
        _("kỳ"), max_length=50, blank=True, help_text=_("ví dụ 2023 hoặc Q1-2024")
    )
    cadence = models.CharField(
        _("chu kỳ"), max_length=10, choices=Cadence.choices, default=Cadence.ANNUAL
    )
    quarter = models.PositiveSmallIntegerField(_("quý"), null=True, blank=True)
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=2)
    display = models.CharField(
        _("hiển thị"), max_length=10, choices=Display.choices, default=Display.POINTS
    )
    not_deployed_policy = models.CharField(
        _("chỉ số chưa triển khai"),
        max_length=10,
        choices=NotDeployed.choices,
        default=NotDeployed.EXCLUDE,
    )
    band_on = models.CharField(
        _("xếp loại theo"),
        max_length=10,
        choices=BandOn.choices,
        default=BandOn.EXACT,
        help_text=_(
            "mức xếp loại được xác định trên điểm chính xác (điểm so với ngưỡng × điểm tối đa), "
            "hay trên tỷ lệ % đã làm tròn nếu quyết định của tỉnh xếp loại theo số công bố"
        ),
    )
    not_deployed = models.ManyToManyField(
        Node, blank=True, related_name="not_deployed_in", verbose_name=_("chỉ số chưa triển khai")
    )
    units = models.ManyToManyField(Unit, through="Participation", related_name="periods")
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=Status.choices,
        default=Status.SELF_ASSESSMENT,
        editable=False,  # changed only through periods.workflow, which records every step
    )
    review_rounds = models.PositiveSmallIntegerField(_("số lần thẩm định"), default=2)
    adjustment_threshold = models.DecimalField(
        _("ngưỡng điều chỉnh cần thành viên thứ hai đồng ý (điểm)"),
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("để trống: không cần thành viên thứ hai"),
    )
    # docs/open-data.md: the public reads results, not what units typed. A period may choose to
    # publish the raw inputs too (then the public what-if starts from them).
    raw_inputs_public = models.BooleanField(
        _("công khai số liệu đầu vào của đơn vị"),
        default=False,
        help_text=_(
            "Khi công bố: người xem được số liệu từng đơn vị đã nhập (mô phỏng bắt đầu từ đó). "
            "Mặc định chỉ công khai điểm."
        ),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kỳ trước"),
        help_text=_("để nhập tiếp từ kỳ trước và so sánh biến động"),
    )
    carry_over_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nhập tiếp từ kỳ"),
        help_text=_(
            "kỳ mà đơn vị nhập tiếp số liệu và tài liệu (ví dụ kỳ năm nhập tiếp từ quý IV); "
            "để trống: kỳ trước"
        ),
    )
    # The assessed window (thời gian đánh giá): what the data and evidence are about, e.g. Đắk
    # Nông 2023: 01/01/2023 to 20/12/2023. Empty: the year (or quarter) of the period.
    assessed_from = models.DateField(_("đánh giá từ ngày"), null=True, blank=True)
    assessed_to = models.DateField(_("đánh giá đến ngày"), null=True, blank=True)
    # The results revision: raised, in the same transaction, by every write that can change the
    # period's results (periods/revision.py). Stored results are kept per revision, so a reader
    # knows with one integer whether what was computed is still the period's result.
    results_revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decimals__lte=6), name="period_decimals_at_most_6"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4),
                name="period_quarter_1_to_4",
            ),
            models.CheckConstraint(
                condition=models.Q(review_rounds__gte=1), name="period_at_least_one_round"
            ),
            models.CheckConstraint(
                condition=models.Q(assessed_from__isnull=True, assessed_to__isnull=True)
                | models.Q(
                    assessed_from__isnull=False,
                    assessed_to__isnull=False,
                    assessed_to__gte=models.F("assessed_from"),
                ),
                name="period_assessed_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The revision is only ever raised by periods.revision, in the database (an UPDATE adding
        # one): saving a loaded period must not write back the number it was loaded with, which
        # would undo a raise made since and serve results stored for the older data.
        if (
            not self._state.adding
            and not args
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "results_revision"
            ]
        super().save(*args, **kwargs)

    def phase(self, kind: str, round_number: int | None = None) -> Phase | None:
        """The phase of a kind (for a round, the round's own, else one for every round); the
        last one when there are several. periods/calendar.py says what a phase's dates allow."""
        phases = self.phases.filter(kind=kind)
        if round_number is not None:
            own = phases.filter(round_number=round_number).order_by("-order", "-ends_on").first()
            if own is not None:
                return own
            phases = phases.filter(round_number__isnull=True)
        return phases.order_by("-order", "-ends_on").first()

    @property
    def is_quarterly(self) -> bool:
        return self.cadence == self.Cadence.QUARTERLY


class RevisionEdit(models.Model):
    """What one raise of a period's results revision changed, when it changed only units' input
    values (periods/revision.py): the cells, as [unit code, indicator code] pairs; none when the
    period was raised only because its previous period changed (its own inputs did not). A raise
    that changed anything else has no row. A reader holding the results of an earlier revision
    applies the logged cells instead of scoring the whole period again (results/source.py).
    A cell is [unit code, indicator code, "values" or "settled"] (its input values, or the
    score the appraisal settled for it)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="revision_edits")
    revision = models.PositiveBigIntegerField()
    cells = models.JSONField(default=list)  # [[unit, indicator, "values" | "settled"], ...]

    class Meta:
        verbose_name = _("thay đổi giá trị theo bản sửa đổi")
        verbose_name_plural = _("thay đổi giá trị theo bản sửa đổi")
        constraints = [
            models.UniqueConstraint(fields=["period", "revision"], name="revision_edit_once")
        ]

    def __str__(self) -> str:
        return f"{self.period_id}@{self.revision}"


class RankingGroup(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("mã"), max_length=50)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        verbose_name = _("nhóm xếp hạng")
        verbose_name_plural = _("nhóm xếp hạng")
        constraints = [models.UniqueConstraint(fields=["period", "code"], name="group_code_unique")]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="participations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="participations")
    group = models.ForeignKey(RankingGroup, on_delete=models.PROTECT, null=True, blank=True)
    ranked = models.BooleanField(_("xếp hạng"), default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("đơn vị tham gia")
        verbose_name_plural = _("đơn vị tham gia")
        ordering = ["period", "order"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="participation_unique")
        ]


class Phase(models.Model):
    """A dated step of the programme's calendar (Đắk Nông 2023: self-assessment 02–15/01/2024,
    appraisal round 1 21–30/01, explanation 31/01–06/02, …). The dates change only through
    periods.services.phase_extend, which keeps every change as a PhaseExtension."""

    class Kind(models.TextChoices):
        # The order is the process's order (the timeline sorts by it after the dates).
        SELF_ASSESSMENT = "self_assessment", _("tự đánh giá")
        APPRAISAL = "appraisal", _("thẩm định")
        EXPLANATION = "explanation", _("giải trình")
        REPLY = "reply", _("phản hồi kết quả dự kiến")
        COORDINATOR_REVIEW = "coordinator_review", _("rà soát tổng hợp")
        APPROVAL = "approval", _("phê duyệt")
        PUBLICATION = "publication", _("công bố")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("giai đoạn"), max_length=20, choices=Kind.choices)
    round_number = models.PositiveSmallIntegerField(_("lần"), null=True, blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")
        ordering = ["period", "order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        from .calendar import phase_label  # the label reads the round: written once there

        return str(phase_label(self.kind, self.round_number))


class PhaseExtension(models.Model):
    """The coordinator moved a phase's dates (usually extended its end), with the reason. Rows
    are only added: the phase's earlier dates stay readable here."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="extensions")
    old_starts_on = models.DateField(_("từ ngày (cũ)"))
    old_ends_on = models.DateField(_("đến ngày (cũ)"))
    new_starts_on = models.DateField(_("từ ngày (mới)"))
    new_ends_on = models.DateField(_("đến ngày (mới)"))
    reason = models.TextField(_("lý do"))
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("gia hạn giai đoạn")
        verbose_name_plural = _("gia hạn giai đoạn")
        ordering = ["phase", "at", "pk"]


class Membership(models.Model):
    """A person's part in one unit's work for one period: the unit's own people only.

    Coordinators, reviewers and approvers act across units through their role (a group), not
    through memberships.
    """

    class Role(models.TextChoices):
        FOCAL_POINT = "focal_point", _("cán bộ đầu mối")
        CONTRIBUTOR = "contributor", _("cán bộ phối hợp")
        UNIT_LEADER = "unit_leader", _("lãnh đạo đơn vị")

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)

    class Meta:
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "user", "role"], name="membership_unique"
            )
        ]


class PeriodTransition(models.Model):
    """One step of a period through the process, with who, when and why. Rows are only added."""

    # PROTECT: a period with recorded steps cannot be deleted (its history would go with it).
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="transitions")
    before = models.CharField(_("từ"), max_length=20, choices=Period.Status.choices)
    after = models.CharField(_("sang"), max_length=20, choices=Period.Status.choices)
    reason = models.TextField(_("lý do"), blank=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("chuyển trạng thái kỳ")
        verbose_name_plural = _("chuyển trạng thái kỳ")
        ordering = ["period", "at", "pk"]


class ReviewerAssignment(models.Model):
    """A reviewer (thành viên Tổ thẩm định) assigned to a unit, to a main index, or to a main
    index of one unit. Kept with the period, beside memberships, because who may see a unit's
    submission depends on it."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="reviewers")
    reviewer = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="review_assignments"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    node = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chỉ số chính"),
    )

    class Meta:
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = _("phân công thẩm định")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(node__isnull=False),
                name="reviewer_assignment_unit_or_index",
            ),
            models.UniqueConstraint(
                fields=["period", "reviewer", "unit", "node"], name="reviewer_assignment_unique"
            ),
        ]

    def covers(self, unit_id: int, main_index_id: int | None) -> bool:
        return (self.unit_id is None or self.unit_id == unit_id) and (
            self.node_id is None or self.node_id == main_index_id
        )


class PeriodChange(models.Model):
    """The coordinator set up or changed a period from the console (docs/console.md): created it,
    changed its settings or phases before it opened, chose its units, or gave it a new framework
    version. `detail` holds what changed (field: [before, after], units added and removed). Rows
    are only added."""

    class Kind(models.TextChoices):
        CREATED = "created", _("tạo kỳ")
        EDITED = "edited", _("sửa thiết lập")
        PARTICIPANTS = "participants", _("chọn đơn vị tham gia")
        FRAMEWORK = "framework", _("nhập bộ chỉ số")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("thay đổi"), max_length=20, choices=Kind.choices)
    detail = models.JSONField(_("chi tiết"), default=dict, blank=True)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("lịch sử thiết lập kỳ")
        verbose_name_plural = _("lịch sử thiết lập kỳ")
        ordering = ["period", "at", "pk"]
