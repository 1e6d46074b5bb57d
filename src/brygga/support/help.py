"""The help pages: one per step of the process, kept in the repository as templates.

Each topic is a template under ``support/templates/support/help/``; this registry gives
its title, its group on the help index, who does the step, and which case screens link to
it. The case screens ask ``topic_for_event(slug)`` and ``topic_for_state(state)`` so the
cases app needs to know nothing about the help.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HelpTopic:
    slug: str
    title: str | Promise
    summary: str | Promise
    group: str
    who: str | Promise = ""
    # The case event form slugs (cases.forms.EVENT_SLUGS) whose form links here.
    event_slugs: tuple[str, ...] = ()
    related: tuple[str, ...] = field(default_factory=tuple)

    @property
    def template(self) -> str:
        return f"support/help/{self.slug}.html"


INPATIENT = _("Slutenvården (avdelningen)")
PRIMARY_CARE = _("Primärvården (vårdcentral, husläkarmottagning, öppenvårdspsykiatri)")
MUNICIPALITY = _("Kommunen (socialtjänst, kommunal hälso- och sjukvård)")
EVERYONE = _("Alla parter")

# (key, heading) in the order the help index shows them.
GROUPS: tuple[tuple[str, str | Promise], ...] = (
    ("start", _("Komma igång")),
    ("stay", _("Under vårdtillfället")),
    ("discharge", _("Utskrivning")),
    ("end", _("Avsluta, avbryta och rätta")),
    ("sip", _("SIP utanför vårdtillfälle")),
    ("outage", _("När Brygga inte går att använda")),
)

TOPICS: tuple[HelpTopic, ...] = (
    HelpTopic(
        "inloggning",
        _("Logga in och välja uppdrag"),
        _("eTjänstekort eller e-legitimation, behörighet i EK och att välja enhet."),
        "start",
        EVERYONE,
        related=("reservrutin",),
    ),
    HelpTopic(
        "inskrivningsmeddelande",
        _("Inskrivningsmeddelande"),
        _("Öppna ärendet och meddela kommun och vårdcentral att patienten skrivits in."),
        "stay",
        INPATIENT,
        event_slugs=("inskrivningsmeddelande",),
        related=("andrat-utskrivningsdatum", "planeringsunderlag", "kvittering", "avvisning"),
    ),
    HelpTopic(
        "andrat-utskrivningsdatum",
        _("Ändrat beräknat utskrivningsdatum"),
        _("Meddela mottagarna så snart bedömningen ändras."),
        "stay",
        INPATIENT,
        event_slugs=("andrat-utskrivningsdatum",),
        related=("inskrivningsmeddelande", "planeringsunderlag"),
    ),
    HelpTopic(
        "planeringsunderlag",
        _("Planeringsunderlag"),
        _("Informationen från slutenvården som kommun och primärvård planerar utifrån."),
        "stay",
        INPATIENT,
        event_slugs=("planeringsunderlag",),
        related=("kvittering", "meddelande", "utskrivningsklar"),
    ),
    HelpTopic(
        "meddelande",
        _("Meddelanden i ärendet"),
        _("Frågor och svar mellan parterna, kopplade till patientens ärende."),
        "stay",
        EVERYONE,
        event_slugs=("meddelande",),
        related=("kvittering", "makulering"),
    ),
    HelpTopic(
        "kvittering",
        _("Kvittera"),
        _("Bekräfta att din enhet har läst ett meddelande."),
        "stay",
        EVERYONE,
        related=("meddelande", "planeringsunderlag"),
    ),
    HelpTopic(
        "fast-vardkontakt",
        _("Fast vårdkontakt"),
        _("Primärvården utser en fast vårdkontakt innan patienten skrivs ut."),
        "stay",
        PRIMARY_CARE,
        event_slugs=("fast-vardkontakt",),
        related=("kallelse-sip", "utskrivningsmeddelande"),
    ),
    HelpTopic(
        "utskrivningsklar",
        _("Utskrivningsklar"),
        _("Läkarens bedömning, meddelandet och vad det startar."),
        "stay",
        INPATIENT,
        event_slugs=("utskrivningsklar",),
        related=("atertagande", "kallelse-sip", "utskrivningsmeddelande"),
    ),
    HelpTopic(
        "atertagande",
        _("Återta utskrivningsklar"),
        _("När patienten inte längre är utskrivningsklar."),
        "stay",
        INPATIENT,
        event_slugs=("atertagande",),
        related=("utskrivningsklar",),
    ),
    HelpTopic(
        "kallelse-sip",
        _("Kallelse till SIP"),
        _("Samordnad individuell plan: samtycke, deltagare och tidsfrist."),
        "stay",
        _("Primärvården eller kommunen (oftast den fasta vårdkontakten)"),
        event_slugs=("kallelse-sip",),
        related=("sip", "fast-vardkontakt", "utskrivningsklar"),
    ),
    HelpTopic(
        "sip",
        _("SIP-möte, plan och uppföljning"),
        _("Registrera att mötet hållits, planen och uppföljningen."),
        "stay",
        _("Primärvården och kommunen"),
        event_slugs=("sip-hallet", "sip-uppfoljning"),
        related=("kallelse-sip", "sip-utanfor-vardtillfalle"),
    ),
    HelpTopic(
        "permission",
        _("Permission"),
        _("Registrera när patienten är hemma på permission och när hen kommer tillbaka."),
        "stay",
        INPATIENT,
        event_slugs=("permission", "permission-slut"),
        related=("utskrivningsklar",),
    ),
    HelpTopic(
        "overflyttning",
        _("Överflyttning till annan vårdenhet"),
        _("Ärendet följer patienten till den nya avdelningen."),
        "stay",
        INPATIENT,
        event_slugs=("flytt",),
        related=("inskrivningsmeddelande",),
    ),
    HelpTopic(
        "avvisning",
        _("Avvisa ett ärende"),
        _("När patienten inte är folkbokförd i kommunen eller hör till en annan stadsdel."),
        "stay",
        MUNICIPALITY,
        event_slugs=("avvisning",),
        related=("inskrivningsmeddelande",),
    ),
    HelpTopic(
        "utskrivningsmeddelande",
        _("Utskrivningsmeddelande"),
        _("Meddela tid och vart patienten skrivs ut; informationen senast samma dag."),
        "discharge",
        INPATIENT,
        event_slugs=("utskrivningsmeddelande",),
        related=("patientinformation", "stangning", "fast-vardkontakt"),
    ),
    HelpTopic(
        "patientinformation",
        _("Information till patienten"),
        _("Skriftlig information vid utskrivningen enligt patientlagen."),
        "discharge",
        INPATIENT,
        related=("utskrivningsmeddelande", "fast-vardkontakt"),
    ),
    HelpTopic(
        "stangning",
        _("Avsluta ärendet"),
        _("När utskrivningen är klar och uppföljningen gjord."),
        "end",
        _("Slutenvården; vid SIP utanför vårdtillfälle primärvården eller kommunen"),
        event_slugs=("avsluta",),
        related=("utskrivningsmeddelande", "avbrott"),
    ),
    HelpTopic(
        "avbrott",
        _("Avbryta ärendet"),
        _("När inget stöd behövs, patienten avlidit eller flyttat till annan region."),
        "end",
        _("Slutenvården; vid SIP utanför vårdtillfälle primärvården eller kommunen"),
        event_slugs=("avbrott",),
        related=("stangning", "makulering"),
    ),
    HelpTopic(
        "makulering",
        _("Makulera ett meddelande"),
        _("Rätta ett meddelande som skickats fel. Det syns kvar, överstruket."),
        "end",
        _("Den enhet som skickade meddelandet"),
        related=("meddelande", "avbrott"),
    ),
    HelpTopic(
        "sip-utanfor-vardtillfalle",
        _("SIP utanför vårdtillfälle"),
        _("Starta en samordnad individuell plan utan att patienten ligger på sjukhus."),
        "sip",
        _("Primärvården och kommunen"),
        related=("kallelse-sip", "sip", "stangning"),
    ),
    HelpTopic(
        "reservrutin",
        _("Reservrutin vid avbrott"),
        _("Så gör du när Brygga inte fungerar, och hur du efterregistrerar."),
        "outage",
        EVERYONE,
        related=("inloggning",),
    ),
)

TOPICS_BY_SLUG: dict[str, HelpTopic] = {topic.slug: topic for topic in TOPICS}
_TOPIC_BY_EVENT: dict[str, HelpTopic] = {
    event_slug: topic for topic in TOPICS for event_slug in topic.event_slugs
}

# The step a case in each state is at: where its page's help link goes.
_TOPIC_BY_CASE_STATE: dict[str, str] = {
    "admitted": "inskrivningsmeddelande",
    "planning": "planeringsunderlag",
    "ready": "utskrivningsklar",
    "discharged": "utskrivningsmeddelande",
    "sip_ongoing": "sip-utanfor-vardtillfalle",
    "closed": "stangning",
    "cancelled": "avbrott",
}
# Other case screens, by URL name in the cases app.
_TOPIC_BY_CASE_SCREEN: dict[str, str] = {
    "open": "inskrivningsmeddelande",
    "open_sip": "sip-utanfor-vardtillfalle",
    "retract": "makulering",
    "patient_information": "patientinformation",
}


def topic(slug: str) -> HelpTopic | None:
    return TOPICS_BY_SLUG.get(slug)


def topic_for_event(event_slug: str) -> HelpTopic | None:
    return _TOPIC_BY_EVENT.get(event_slug)


def topic_for_state(state: str) -> HelpTopic | None:
    slug = _TOPIC_BY_CASE_STATE.get(state)
    return TOPICS_BY_SLUG[slug] if slug else None


def topic_for_screen(url_name: str) -> HelpTopic | None:
    slug = _TOPIC_BY_CASE_SCREEN.get(url_name)
    return TOPICS_BY_SLUG[slug] if slug else None


def grouped() -> list[tuple[str | Promise, list[HelpTopic]]]:
    return [(heading, [t for t in TOPICS if t.group == key]) for key, heading in GROUPS]
