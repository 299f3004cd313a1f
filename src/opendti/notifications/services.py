"""Telling people: `notify` writes the in-site notifications and e-mails each person once.

Callers (appraisal, publication, the daily reminder job) pass ready, translated text and a
site-relative link; this module knows nothing of periods or units.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import send_mass_mail
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from opendti.accounts.models import User

from .models import Notification

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "[OpenDTI] "
TITLE_MAX = Notification._meta.get_field("title").max_length or 300


def _check_url(url: str) -> None:
    # Only paths inside this site: the list page turns the value into a link, and an outside or
    # protocol-relative address there would send people off-site.
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError(f"notification url must be a site-relative path, got {url!r}")


def absolute_url(url: str) -> str:
    """The link as an e-mail needs it: the site's address (OPENDTI_SITE_URL) and the path."""
    site = getattr(settings, "OPENDTI_SITE_URL", "")
    if not url or not site:
        return ""
    return site.rstrip("/") + url


def _email_body(body: str, url: str) -> str:
    link = absolute_url(url)
    return f"{body}\n\n{link}" if link else body


def notify(
    users: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str,
    url: str = "",
    dedupe_key: str = "",
) -> int:
    """Notify each distinct active person among `users` once; return how many were notified.

    A person who already has a notification with the same non-empty `dedupe_key` is skipped (a
    job run twice the same day reminds nobody twice). Each new notification is e-mailed to its
    person alone, after the surrounding transaction commits, so a rolled-back change e-mails
    nobody; people without an e-mail address get the in-site notification only.
    """
    _check_url(url)
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    title = " ".join(str(title).split())[:TITLE_MAX]  # one line: it is also the mail subject
    body = str(body)
    # Distinct by primary key, in the order given; inactive accounts hear nothing.
    people = {user.pk: user for user in users if user.is_active}
    if dedupe_key and people:
        done = set(
            Notification.objects.filter(user_id__in=people, dedupe_key=dedupe_key).values_list(
                "user_id", flat=True
            )
        )
        people = {pk: user for pk, user in people.items() if pk not in done}
    if not people:
        return 0
    created = [
        Notification(user=user, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key)
        for user in people.values()
    ]
    if connections[Notification.objects.db].features.can_return_rows_from_bulk_insert:
        Notification.objects.bulk_create(created)
    else:  # an older SQLite gives no ids back from a bulk insert; the e-mail step needs them
        for notification in created:
            notification.save()
    to_mail = [(n.pk, n.user.email) for n in created if n.user.email]
    if to_mail:
        subject = SUBJECT_PREFIX + title
        message = _email_body(body, url)
        transaction.on_commit(lambda: _send(subject, message, to_mail))
    return len(created)


def _send(subject: str, message: str, to_mail: Sequence[tuple[int | None, str]]) -> None:
    # One message per person, each addressed to that person only: nobody sees who else was told.
    messages = [(subject, message, None, [email]) for _pk, email in to_mail]
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        # The change is already committed and the notification is in the site; a mail server
        # that is down must not turn the request into an error. `emailed` stays False.
        logger.exception("could not e-mail %d notification(s): %s", len(messages), subject)
        return
    Notification.objects.filter(pk__in=[pk for pk, _email in to_mail]).update(emailed=True)


def notifications_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Notification]:
    """The person's own notifications, newest first; none for the public. Every read goes
    through here, so nobody ever sees or changes another person's."""
    if not user.is_authenticated or user.pk is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk)


def mark_read(user: AbstractBaseUser | AnonymousUser, ids: Iterable[int] | None = None) -> int:
    """Mark the person's unread notifications read (all of them, or those of `ids`); other
    people's ids are ignored. Return how many changed."""
    unread = notifications_of(user).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user: AbstractBaseUser | AnonymousUser) -> int:
    """How many notifications the person has not read yet (0 for the public)."""
    if not user.is_authenticated:
        return 0  # no query for the public, on every public page
    return notifications_of(user).filter(read_at__isnull=True).count()
