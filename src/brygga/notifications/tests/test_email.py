"""New-notice e-mails and deadline reminders, sent by the database-backed worker to a real
SMTP server on loopback; nothing is lost while the mail server is down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from brygga.cases import payloads as p
from brygga.cases.actions import record_event
from brygga.cases.models import CaseEventType as E
from brygga.cases.tests.conftest import OpenStay, World
from brygga.notifications.actions import deliver_due, note_new_notices, queue_deadline_reminders
from brygga.notifications.models import EmailKind, OutboundEmail
from brygga.notifications.rules import MAX_DELAY, retry_delay
from brygga.testing import free_port

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_settings(smtp_port: int) -> Iterator[None]:
    # A real SMTP connection (the test runner would otherwise keep e-mail in memory).
    with override_settings(
        NOTICE_EMAILS=True,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_port,
        EMAIL_TIMEOUT=2,
    ):
        yield


def start_mail_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


@pytest.fixture
def mailboxes(world: World) -> World:
    for unit, box in ((world.solna_social, "solna"), (world.vardcentral, "vc.solna")):
        unit.functional_mailbox = f"{box}@example.se"
        unit.save()
    return world


def send_admission(world: World, open_stay: OpenStay) -> None:
    case = open_stay()
    record_event(
        actor=world.actor("nina"),
        case=case,
        event_type=E.ADMISSION_NOTICE,
        payload=p.AdmissionNotice(None),
    )
    record_event(
        actor=world.actor("nina"),
        case=case,
        event_type=E.MESSAGE,
        payload=p.Empty(),
        text="Patienten har bott ensam.",
    )


# The worker closes the database connection after its tasks, as it does in production: these
# tests run outside a test transaction so that it may.
@pytest.mark.django_db(transaction=True)
def test_notices_reach_the_units_mailboxes_without_patient_data(
    mailboxes: World,
    open_stay: OpenStay,
    mail_settings: None,
    smtp_port: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_admission(mailboxes, open_stay)
    # Two notices to each unit while no e-mail had gone: one e-mail per unit, counting both.
    waiting = OutboundEmail.objects.filter(sent_at__isnull=True)
    assert sorted(waiting.values_list("to_address", "notice_count")) == [
        ("solna@example.se", 2),
        ("vc.solna@example.se", 2),
    ]
    controller, inbox = start_mail_server(smtp_port)
    try:
        run_worker()
    finally:
        controller.stop()
    assert sorted(m.rcpt_tos[0] for m in inbox.messages) == [
        "solna@example.se",
        "vc.solna@example.se",
    ]
    text = inbox.messages[0].content.decode("utf-8", "replace")
    assert "2 nya meddelanden" in text
    patient = mailboxes.patient
    for secret in (patient.family_name, patient.identity_number, "191212", "ensam"):
        assert secret not in text
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_nothing_is_lost_while_the_mail_server_is_down(
    mailboxes: World,
    open_stay: OpenStay,
    mail_settings: None,
    smtp_port: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_admission(mailboxes, open_stay)
    run_worker()  # nobody listens on the port
    failed = list(OutboundEmail.objects.filter(sent_at__isnull=True))
    assert len(failed) == 2
    assert all(e.attempts == 1 and e.last_error for e in failed)
    assert all(e.next_attempt_at > timezone.now() for e in failed)

    controller, inbox = start_mail_server(smtp_port)
    try:
        run_worker()  # not due yet: the backoff holds
        assert inbox.messages == []
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
            run_worker()
    finally:
        controller.stop()
    assert len(inbox.messages) == 2
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_a_days_deadline_reminder_is_queued_once_per_unit(
    mailboxes: World,
    open_stay: OpenStay,
    mail_settings: None,
) -> None:
    # Admitted two days ago and no admission notice: D1 is overdue for the ward's parties.
    # Ten in the morning, so that an hour later is still the same day whenever the test runs.
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(10)))
    with time_machine.travel(morning, tick=False):
        open_stay()
    first = queue_deadline_reminders(now=morning)
    again = queue_deadline_reminders(now=morning + dt.timedelta(hours=1))
    reminders = OutboundEmail.objects.filter(kind=EmailKind.DEADLINE_REMINDER)
    assert first == reminders.count() >= 1 and again == 0
    body = reminders.first().body  # type: ignore[union-attr]
    assert "passerat" in body and mailboxes.patient.family_name not in body


def test_a_notice_arriving_while_its_email_is_sent_gets_an_email_of_its_own(
    mailboxes: World,
    open_stay: OpenStay,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with override_settings(NOTICE_EMAILS=True):
        send_admission(mailboxes, open_stay)  # two notices waiting for each unit
        solna = mailboxes.solna_social
        real_send = EmailMessage.send

        def send_while_a_notice_arrives(message: EmailMessage, *args: Any) -> int:
            if message.to == [solna.functional_mailbox]:
                note_new_notices(units=[solna], now=timezone.now())
            return real_send(message, *args)

        monkeypatch.setattr(EmailMessage, "send", send_while_a_notice_arrives)
        deliver_due(now=timezone.now())
        monkeypatch.undo()
        told = {m.to[0]: m.subject for m in mail.outbox}
        assert "2 nya meddelanden" in told["solna@example.se"]
        # The third notice was not in that e-mail's text: it waits in an e-mail of its own.
        waiting = OutboundEmail.objects.get(sent_at__isnull=True)
        assert (waiting.to_address, waiting.notice_count) == ("solna@example.se", 1)
        deliver_due(now=timezone.now())
    assert "1 nytt meddelande" in mail.outbox[-1].subject
    sent = OutboundEmail.objects.filter(to_address="solna@example.se")
    assert sorted(sent.values_list("notice_count", flat=True)) == [1, 2]
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_no_outbox_rows_without_a_mail_server_configured(
    mailboxes: World,
    open_stay: OpenStay,
) -> None:
    with override_settings(NOTICE_EMAILS=False):
        send_admission(mailboxes, open_stay)
    assert not OutboundEmail.objects.exists()


@given(st.integers(min_value=1, max_value=10_000))
def test_the_retry_delay_grows_and_is_capped(attempts: int) -> None:
    assert dt.timedelta(seconds=30) <= retry_delay(attempts) <= MAX_DELAY
    assert retry_delay(attempts + 1) >= retry_delay(attempts)
