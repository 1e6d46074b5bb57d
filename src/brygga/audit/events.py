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
    # 600–649: payment responsibility and invoicing
    AGREEMENT_CREATED = 601, _("Skapade överenskommelse om betalningsansvar")
    DAILY_AMOUNT_SET = 602, _("Angav belopp per dag för betalningsansvar")
    INVOICING_BASIS_VIEWED = 611, _("Visade faktureringsunderlag")
    INVOICING_BASIS_EXPORTED = 612, _("Exporterade faktureringsunderlag")
    PAYMENT_CASE_VIEWED = 613, _("Visade beräkning av betalningsansvar")
    DISPUTE_OPENED = 621, _("Bestred rad i faktureringsunderlag")
    DISPUTE_RESOLVED = 622, _("Avgjorde bestridande")
    SUPPORT_REFUSAL_RECORDED = 631, _("Registrerade att patienten avböjt kommunens stöd")
    # 650–699: follow-up (uppföljning, aggregated figures)
    STATISTICS_EXPORTED = 651, _("Exporterade uppföljningsstatistik")
    # 700–749: orders of units and personal access (administration)
    UNIT_ORDER_SUBMITTED = 701, _("Skickade enhetsbeställning")
    UNIT_ORDER_APPROVED = 702, _("Godkände enhetsbeställning")
    UNIT_ORDER_REJECTED = 703, _("Avslog enhetsbeställning")
    UNIT_ORDER_CANCELLED = 704, _("Återkallade enhetsbeställning")
    CASE_REORGANISED = 711, _("Flyttade ärende vid omorganisation")
    ACCESS_ORDER_SUBMITTED = 721, _("Skickade behörighetsbeställning")
    ACCESS_ORDER_REGISTERED = 722, _("Registrerade behörighetsbeställning")
    ACCESS_ORDER_REJECTED = 723, _("Avslog behörighetsbeställning")
    ACCESS_ORDER_CANCELLED = 724, _("Återkallade behörighetsbeställning")
    # 750–799: support (contacts, e-learning links, suggestions, operational news)
    SUPPORT_CONTACT_CREATED = 751, _("Lade till supportkontakt")
    SUPPORT_CONTACT_UPDATED = 752, _("Ändrade supportkontakt")
    SUPPORT_CONTACT_DELETED = 753, _("Tog bort supportkontakt")
    ELEARNING_LINK_CREATED = 761, _("Lade till e-utbildning")
    ELEARNING_LINK_UPDATED = 762, _("Ändrade e-utbildning")
    ELEARNING_LINK_DELETED = 763, _("Tog bort e-utbildning")
    SUGGESTION_SUBMITTED = 771, _("Lämnade förändringsförslag")
    SUGGESTION_ANSWERED = 772, _("Besvarade förändringsförslag")
    NEWS_PUBLISHED = 781, _("Lade in driftinformation")
    NEWS_UPDATED = 782, _("Ändrade driftinformation")
    NEWS_ENDED = 783, _("Avslutade driftinformation")
    # 800–849: the training environment (utbildningsmiljö)
    TRAINING_RESET = 801, _("Återställde utbildningsmiljön")
    TRAINING_RESET_FAILED = 802, _("Återställning av utbildningsmiljön misslyckades")
    # 850–899: the reserve routine (contingency lists, forms)
    CONTINGENCY_LISTS_WRITTEN = 851, _("Skrev beredskapslistor")
    CONTINGENCY_LIST_DOWNLOADED = 852, _("Hämtade beredskapslista")
    FORM_PRINTED = 853, _("Skrev ut blankett för reservrutinen")
    EXTERNAL_RECIPIENT_ADDED = 854, _("Lade till extern mottagare")
    EXTERNAL_DISPATCH_RECORDED = 855, _("Registrerade meddelande skickat till extern mottagare")
    # 900–949: the FHIR API (system clients such as EHRs)
    API_CLIENT_REGISTERED = 901, _("Registrerade API-klient")
    API_CLIENT_UPDATED = 902, _("Ändrade API-klient")
    API_TOKEN_ISSUED = 903, _("API-klient fick åtkomsttoken")
    API_UNIT_REFUSED = 904, _("API-klient nekades att agera för enhet")
    API_STAY_IDENTIFIED = 912, _("API-klient kopplade sitt vårdtillfälles-id till ärende")
    API_DIRECTORY_READ = 921, _("API-klient läste katalogen")
    # 950–969: the directory sync from HSA/EK over LDAP (the rows it changes are logged
    # with the directory's own 400-range events)
    DIRECTORY_SYNC_RUN = 951, _("Synkroniserade katalogen från HSA/EK")
    DIRECTORY_SYNC_FAILED = 952, _("Synkronisering av katalogen misslyckades")


PATIENT_READ_EVENTS = frozenset(
    {
        AuditEventType.PATIENT_VIEWED,
        AuditEventType.PATIENT_LISTED,
        AuditEventType.PATIENT_SEARCHED,
        AuditEventType.CASE_VIEWED,
    }
)
