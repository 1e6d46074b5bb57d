"""Pure rules of the outbox: when to try again, and what an e-mail says."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=1)


def retry_delay(attempts: int) -> dt.timedelta:
    """After the n-th failed attempt: 30 s, 1 min, 2 min, 4 min … at most an hour.

    Never gives up: a notice e-mail waits as long as the mail server is down.
    """
    if attempts < 1:
        return dt.timedelta(0)
    return min(MAX_DELAY, BASE_DELAY * 2 ** min(attempts - 1, 20))


def new_notices_message(unit_name: str, count: int, url: str) -> tuple[str, str]:
    subject = ngettext(
        "Brygga: %(count)s nytt meddelande till %(unit)s",
        "Brygga: %(count)s nya meddelanden till %(unit)s",
        count,
    ) % {"count": count, "unit": unit_name}
    body = "\n\n".join(
        [
            ngettext(
                "%(unit)s har fått %(count)s nytt meddelande i Brygga om samverkan vid "
                "utskrivning.",
                "%(unit)s har fått %(count)s nya meddelanden i Brygga om samverkan vid "
                "utskrivning.",
                count,
            )
            % {"count": count, "unit": unit_name},
            _("Logga in i Brygga för att läsa och kvittera: %(url)s") % {"url": url},
            _(
                "Det här e-postmeddelandet innehåller inga patientuppgifter. Svara inte på "
                "det; brevlådan läses inte."
            ),
        ]
    )
    return subject, body


def deadline_reminder_message(
    unit_name: str, due_today: int, overdue: int, url: str
) -> tuple[str, str]:
    subject = _("Brygga: tidsfrister att hålla i dag för %(unit)s") % {"unit": unit_name}
    body = "\n\n".join(
        [
            _(
                "%(unit)s har %(today)s tidsfrister som går ut i dag och %(overdue)s som "
                "redan har passerat i Brygga."
            )
            % {"unit": unit_name, "today": due_today, "overdue": overdue},
            _("Se arbetslistan i Brygga: %(url)s") % {"url": url},
            _(
                "Det här e-postmeddelandet innehåller inga patientuppgifter. Svara inte på "
                "det; brevlådan läses inte."
            ),
        ]
    )
    return subject, body
