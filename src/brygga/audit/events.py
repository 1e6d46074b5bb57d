"""Typed audit events, in numbered ranges per domain (like Zulip's RealmAuditLog)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventType(models.IntegerChoices):
    # 100–199: login and session
    LOGIN = 101, _("Inloggning")
    LOGIN_REFUSED = 102, _("Nekad inloggning")
    LOGOUT = 103, _("Utloggning")
    COMMISSION_CHOSEN = 104, _("Valt uppdrag")
    SESSION_EXPIRED = 105, _("Sessionen gick ut")
    # 200–299: reading patient data
    PATIENT_VIEWED = 201, _("Visade patientuppgifter")
    PATIENT_LISTED = 202, _("Patienten visades i en lista")
    PATIENT_SEARCHED = 203, _("Sökte patient")
    CASE_VIEWED = 204, _("Visade ärende")
    ACCESS_LOG_VIEWED = 210, _("Visade loggutdrag")
    ACCESS_LOG_EXPORTED = 211, _("Exporterade loggutdrag")
    # 300–399: patient records
    PATIENT_REGISTERED = 301, _("Registrerade patient")
    PATIENT_UPDATED = 302, _("Ändrade patientuppgifter")
    # 400–499: the directory (EK)
    ORGANISATION_CREATED = 401, _("Skapade organisation")
    ORGANISATION_UPDATED = 402, _("Ändrade organisation")
    UNIT_CREATED = 411, _("Skapade enhet")
    UNIT_UPDATED = 412, _("Ändrade enhet")
    PERSON_CREATED = 421, _("Skapade person")
    PERSON_UPDATED = 422, _("Ändrade person")
    COMMISSION_CREATED = 431, _("Skapade medarbetaruppdrag")
    COMMISSION_UPDATED = 432, _("Ändrade medarbetaruppdrag")
    # 500–599: cases (the LUS process)
    CASE_OPENED = 501, _("Öppnade ärende")
    CASE_CHANGED = 502, _("Ändrade ärende")


PATIENT_READ_EVENTS = frozenset(
    {
        AuditEventType.PATIENT_VIEWED,
        AuditEventType.PATIENT_LISTED,
        AuditEventType.PATIENT_SEARCHED,
        AuditEventType.CASE_VIEWED,
    }
)
