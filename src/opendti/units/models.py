"""Units (đơn vị): departments, boards, district and commune committees, provinces — and their
lineage, so that comparisons across years survive administrative reform. Kinds are data."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opendti.core.vietnamese import fold


class UnitKind(models.Model):
    code = models.SlugField(_("mã"), max_length=50, unique=True)
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        verbose_name = _("loại đơn vị")
        verbose_name_plural = _("loại đơn vị")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    code = models.CharField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    # The name without accents, tone marks or case (core.vietnamese.fold), kept by save(): a
    # search for "hoa binh" or "Hoà Bình" finds "UBND xã Hòa Bình" the same way on every database.
    name_folded = models.CharField(_("tên không dấu"), max_length=300, blank=True, editable=False)
    kind = models.ForeignKey(
        UnitKind, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("loại")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_folded = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded"}
        super().save(*args, **kwargs)


class Lineage(models.Model):
    """One edge of administrative change: `predecessor` became (part of) `successor`."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("sáp nhập")
        SPLIT = "split", _("chia tách")
        RENAME = "rename", _("đổi tên")

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links")
    kind = models.CharField(_("loại thay đổi"), max_length=10, choices=Kind.choices)
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    decision = models.CharField(_("văn bản"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("quan hệ kế thừa")
        verbose_name_plural = _("quan hệ kế thừa")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="lineage_unique_edge"
            ),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")), name="lineage_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"


class Affiliation(models.Model):
    """A person's place in a unit's own work (its focal point or its leader) over time.

    A row is closed (`ended_at`) when the person leaves or moves to another unit, never
    rewritten: who worked where, from when, and who decided it stays readable. A person has at
    most one open row. The memberships of each period follow from it (periods/affiliations.py).
    """

    class Role(models.TextChoices):
        # The same codes as a period's membership roles.
        FOCAL_POINT = "focal_point", _("cán bộ đầu mối")
        UNIT_LEADER = "unit_leader", _("lãnh đạo đơn vị")

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="affiliations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="affiliations")
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    started_at = models.DateTimeField(_("từ"), auto_now_add=True)
    ended_at = models.DateTimeField(_("đến"), null=True, blank=True)
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("lý do"), blank=True)

    class Meta:
        verbose_name = _("công tác tại đơn vị")
        verbose_name_plural = _("công tác tại đơn vị")
        ordering = ["user", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(ended_at__isnull=True),
                name="affiliation_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} ({self.get_role_display()})"
