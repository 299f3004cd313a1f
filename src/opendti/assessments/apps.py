from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "opendti.assessments"
    label = "assessments"
    verbose_name = _("assessments")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from opendti.audit.services import Kind, audit_record
        from opendti.periods.models import Participation

        from .models import IndexAssignment, Submission

        # A unit's submission exists from the moment it joins a period (issue 12): whatever adds
        # the unit (the coordinator's console, a workbook import, the next period of a series,
        # the admin), in the same transaction. Pages then only read it: a GET writes nothing.
        def joined(sender, instance: Participation, created: bool, raw: bool = False, **kw):
            if created and not raw:
                Submission.objects.create(participation=instance)

        post_save.connect(
            joined, sender=Participation, dispatch_uid="opendti.assessments.joined", weak=False
        )

        def handed(instance: IndexAssignment, change: str) -> None:
            participation = instance.submission.participation
            audit_record(
                Kind.MEMBERSHIP_CHANGED,
                target=f"user:{instance.user.get_username()}",
                detail={
                    change: "main_index",
                    "period": participation.period.code,
                    "unit": participation.unit.code,
                    "main_index": instance.node.code,
                },
            )

        def saved(sender, instance, created: bool, **kwargs) -> None:
            if created:
                handed(instance, "added")

        def deleted(sender, instance, **kwargs) -> None:
            handed(instance, "removed")

        uid = "opendti.assessments.audit."
        post_save.connect(saved, sender=IndexAssignment, dispatch_uid=uid + "saved", weak=False)
        post_delete.connect(
            deleted, sender=IndexAssignment, dispatch_uid=uid + "deleted", weak=False
        )
