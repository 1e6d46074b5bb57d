"""Writers of the e-mail outbox, and its delivery. The only writers of OutboundEmail rows."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
from collections import Counter
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from brygga.cases.deadlines import DeadlineStatus
from brygga.cases.models import OPEN_STATES, Case, CaseParty
from brygga.cases.presentation import case_deadlines, expected_date_events
from brygga.directory.models import Unit

from .models import EmailKind, OutboundEmail
from .rules import deadline_reminder_message, new_notices_message, retry_delay

logger = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=5)  # a worker's claim on an e-mail while it sends it
BATCH = 200


def note_new_notices(*, units: Iterable[Unit], now: dt.datetime) -> None:
    """Call inside the transaction that sends notices to these units: one e-mail per unit
    is queued (or a waiting one grows), committed with the notices or not at all."""
    if not settings.NOTICE_EMAILS:
        return
    queued = False
    for unit in units:
        if not unit.functional_mailbox:
            continue
        waiting = (
            OutboundEmail.objects.select_for_update()
            .filter(unit=unit, kind=EmailKind.NEW_NOTICES, sent_at__isnull=True)
            .first()
        )
        if waiting is not None:
            waiting.notice_count += 1
            waiting.save(update_fields=["notice_count"])
        else:
            OutboundEmail.objects.create(
                unit=unit,
                kind=EmailKind.NEW_NOTICES,
                to_address=unit.functional_mailbox,
                notice_count=1,
                created_at=now,
                next_attempt_at=now,
            )
        queued = True
    if queued:
        transaction.on_commit(_enqueue_delivery)


def _enqueue_delivery(run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_emails

    task = deliver_emails.using(run_after=run_after) if run_after else deliver_emails
    task.enqueue()


def _claim(now: dt.datetime) -> list[OutboundEmail]:
    """Due e-mails, leased to this worker so another worker does not send them too."""
    with transaction.atomic():
        due = list(
            OutboundEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True, next_attempt_at__lte=now)
            .select_related("unit")
            .order_by("next_attempt_at", "pk")[:BATCH]
        )
        OutboundEmail.objects.filter(pk__in=[e.pk for e in due]).update(next_attempt_at=now + LEASE)
    return due


def _compose(email: OutboundEmail) -> tuple[str, str, int]:
    """Subject, body and, for new-notice e-mails, the number of notices the text tells of."""
    if email.kind == EmailKind.NEW_NOTICES:
        # The count as it is now: notices that arrived while the e-mail waited are included.
        count = OutboundEmail.objects.values_list("notice_count", flat=True).get(pk=email.pk)
        subject, body = new_notices_message(
            email.unit.name, count, settings.BASE_URL + reverse("home")
        )
        return subject, body, count
    return email.subject, email.body, email.notice_count


def _mark_sent(email: OutboundEmail, subject: str, body: str, told: int) -> None:
    """Record the e-mail as sent, telling of `told` notices. Notices that joined it while it
    was being sent were not in its text: they move to a new waiting e-mail, so every notice
    is announced (a unit gets a second, short e-mail rather than none)."""
    with transaction.atomic():
        current = (
            OutboundEmail.objects.select_for_update()
            .values_list("notice_count", flat=True)
            .get(pk=email.pk)
        )
        OutboundEmail.objects.filter(pk=email.pk).update(
            sent_at=timezone.now(),
            subject=subject,
            body=body,
            attempts=email.attempts + 1,
            notice_count=told,
        )
        if current > told:
            now = timezone.now()
            OutboundEmail.objects.create(
                unit_id=email.unit_id,
                kind=email.kind,
                to_address=email.to_address,
                notice_count=current - told,
                created_at=now,
                next_attempt_at=now,
            )


def deliver_due(*, now: dt.datetime) -> tuple[int, int]:
    """Send every due e-mail; a failure is retried later with backoff. Returns (sent, failed)."""
    sent = failed = 0
    claimed = _claim(now)
    if claimed:
        connection = get_connection(fail_silently=False)
        for email in claimed:
            subject, body, told = _compose(email)
            message = EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [email.to_address],
                connection=connection,
            )
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                failed += 1
                attempts = email.attempts + 1
                OutboundEmail.objects.filter(pk=email.pk).update(
                    attempts=attempts,
                    next_attempt_at=now + retry_delay(attempts),
                    last_error=f"{type(error).__name__}: {error}"[:500],
                )
                logger.warning("e-mail %s to %s failed (%s)", email.pk, email.to_address, error)
            else:
                sent += 1
                _mark_sent(email, subject, body, told)
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    waiting = OutboundEmail.objects.filter(sent_at__isnull=True).aggregate(Min("next_attempt_at"))
    if waiting["next_attempt_at__min"] is not None:
        # Come back when the next one is due, even if no scheduler runs.
        _enqueue_delivery(max(waiting["next_attempt_at__min"], now))
    return sent, failed


def queue_deadline_reminders(*, now: dt.datetime) -> int:
    """Once a day per unit: how many deadlines are due today or overdue in its cases.
    Idempotent: a second run the same day queues nothing new."""
    today = timezone.localdate(now)
    cases = {c.pk: c for c in Case.objects.filter(state__in=OPEN_STATES, kind="stay")}
    date_events = expected_date_events(Q(case__in=list(cases)))
    urgent: dict[int, Counter[str]] = {}
    for pk, case in cases.items():
        statuses = Counter(
            str(d.status)
            for d in case_deadlines(case, date_events.get(pk, []), now=now)
            if d.status in (DeadlineStatus.DUE_TODAY, DeadlineStatus.OVERDUE)
        )
        if statuses:
            urgent[pk] = statuses
    per_unit: dict[int, Counter[str]] = {}
    for party in CaseParty.objects.filter(case__in=list(urgent), active=True).only(
        "case_id", "unit_id"
    ):
        per_unit.setdefault(party.unit_id, Counter()).update(urgent[party.case_id])
    queued = 0
    url = settings.BASE_URL + reverse("cases:worklist")
    for unit in Unit.objects.filter(pk__in=list(per_unit)).exclude(functional_mailbox=""):
        counts = per_unit[unit.pk]
        subject, body = deadline_reminder_message(
            unit.name, counts[DeadlineStatus.DUE_TODAY], counts[DeadlineStatus.OVERDUE], url
        )
        try:
            with transaction.atomic():
                OutboundEmail.objects.create(
                    unit=unit,
                    kind=EmailKind.DEADLINE_REMINDER,
                    to_address=unit.functional_mailbox,
                    dedupe_key=f"deadlines:{unit.pk}:{today.isoformat()}",
                    created_at=now,
                    next_attempt_at=now,
                    subject=subject,
                    body=body,
                )
        except IntegrityError:
            continue  # already queued today
        queued += 1
    if queued:
        transaction.on_commit(_enqueue_delivery)
    return queued
