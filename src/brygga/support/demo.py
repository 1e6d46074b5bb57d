"""Demo rows for support: local support contacts, e-learning links (example addresses),
operational news and a few change suggestions, all written through the actions.

Phone numbers come from PTS's series for fiction (08-465 004 00-99) and every address is
at example.se, so nothing here can be mistaken for a real contact or a real course.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from brygga.core.actor import Actor
from brygga.directory.models import Commission, Role

from . import actions
from .models import Audience, NewsKind, SuggestionArea, SuggestionStatus

if TYPE_CHECKING:
    from brygga.demo.world import DemoWorld


def _actor(world: DemoWorld, name: str, role: str) -> Actor:
    pk = world.commissions_of(name, role)[0].pk
    commission = Commission.objects.select_related("person", "unit__organisation").get(pk=pk)
    return Actor(person=commission.person, commission=commission)


def load(world: DemoWorld, *, today: dt.date, now: dt.datetime) -> None:
    eva = _actor(world, "eva", Role.CENTRAL_ADMIN)
    sofia = _actor(world, "sofia", Role.EK_ADMIN)
    per = _actor(world, "per", Role.EK_ADMIN)
    _contacts(world, eva=eva, sofia=sofia, per=per)
    _elearning(eva)
    _news(eva, now=now)
    _suggestions(world, eva=eva, now=now)


def _contacts(world: DemoWorld, *, eva: Actor, sofia: Actor, per: Actor) -> None:
    region = world.organisation("region")
    actions.create_support_contact(
        actor=sofia,
        organisation=region,
        name="Verksamhetsstöd Karolinska Solna",
        unit=world.unit("ks_solna"),
        description="Frågor om Brygga, behörighet och eTjänstekort för Karolinskas avdelningar.",
        phone="08-465 004 10",
        email="brygga-stod.karolinska@example.se",
        hours="Vardagar 8–16",
        order=10,
    )
    actions.create_support_contact(
        actor=sofia,
        organisation=region,
        name="Verksamhetsstöd Södersjukhuset",
        unit=world.unit("sos"),
        description="Frågor om Brygga för Södersjukhusets avdelningar.",
        phone="08-465 004 11",
        email="brygga-stod.sos@example.se",
        hours="Vardagar 7.30–16",
        order=10,
    )
    actions.create_support_contact(
        actor=sofia,
        organisation=region,
        name="Brygga användarstöd, Region Stockholm",
        description="För alla regionens enheter, t.ex. vårdcentraler. Felanmälan dygnet runt "
        "via IT-servicedesk.",
        phone="08-465 004 12",
        email="brygga-anvandarstod@example.se",
        hours="Vardagar 8–17, IT-servicedesk dygnet runt",
        order=50,
    )
    actions.create_support_contact(
        actor=per,
        organisation=world.organisation("solna"),
        name="Systemförvaltning Omvårdnadsförvaltningen, Solna stad",
        description="Frågor om Brygga och behörighet för socialtjänst och kommunal hälso- och "
        "sjukvård i Solna.",
        phone="08-465 004 20",
        email="brygga@solna.example.se",
        hours="Vardagar 8–16.30",
    )
    actions.create_support_contact(
        actor=eva,
        organisation=world.organisation("vardbolaget"),
        name="IT-stöd Vårdbolaget Mälardalen",
        phone="08-465 004 30",
        email="it-stod@vardbolaget.example.se",
        hours="Vardagar 8–17",
    )


def _elearning(eva: Actor) -> None:
    courses = (
        (
            Audience.INPATIENT,
            "Brygga för slutenvården",
            "https://lartorget.example.se/kurser/brygga-slutenvard",
            "Inskrivningsmeddelande, planeringsunderlag, utskrivningsklar och utskrivning. "
            "Cirka 45 minuter.",
        ),
        (
            Audience.PRIMARY_CARE,
            "Brygga för primärvården",
            "https://lartorget.example.se/kurser/brygga-primarvard",
            "Fast vårdkontakt, kallelse till SIP och SIP utanför vårdtillfälle. Cirka 40 minuter.",
        ),
        (
            Audience.MUNICIPALITY,
            "Brygga för kommunen",
            "https://lartorget.example.se/kurser/brygga-kommun",
            "Ta emot meddelanden, planera, avvisa och kalla till SIP. Cirka 40 minuter.",
        ),
        (
            Audience.ALL,
            "Lagen om samverkan vid utskrivning – grundkurs",
            "https://lartorget.example.se/kurser/lus-grund",
            "Lagens syfte, fristerna och betalningsansvaret. Cirka 30 minuter.",
        ),
    )
    for order, (audience, title, url, description) in enumerate(courses):
        actions.create_elearning_link(
            actor=eva,
            audience=audience,
            title=title,
            url=url,
            description=description,
            order=order * 10,
        )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _news(eva: Actor, *, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    # Next Sunday evening (at least two days away): planned maintenance, announced now.
    sunday = today + dt.timedelta(days=(6 - today.weekday()) % 7 or 7)
    if (sunday - today).days < 2:
        sunday += dt.timedelta(days=7)
    actions.publish_news(
        actor=eva,
        kind=NewsKind.PLANNED_MAINTENANCE,
        title="Planerat underhåll på söndag kväll",
        body="Brygga uppdateras och går inte att använda under underhållet. Skicka det som "
        "går innan, och använd reservrutinen för det som inte kan vänta.",
        starts_at=_at(sunday, 18),
        ends_at=_at(sunday, 21),
        publish_from=now - dt.timedelta(hours=2),
        publish_until=_at(sunday, 21),
        now=now - dt.timedelta(hours=2),
    )
    actions.publish_news(
        actor=eva,
        kind=NewsKind.INFORMATION,
        title="Nya hjälpsidor för varje steg",
        body="Nu finns hjälp för varje steg i processen. Du når den från länken ”Hjälp om "
        "detta steg” i ärendet och i formulären, och under Stöd och hjälp i menyn.",
        publish_from=now - dt.timedelta(days=1),
        publish_until=now + dt.timedelta(days=13),
        now=now - dt.timedelta(days=1),
    )
    # An earlier disturbance, over and kept in the archive.
    earlier = now - dt.timedelta(days=9)
    disturbance = actions.publish_news(
        actor=eva,
        kind=NewsKind.DISTURBANCE,
        title="Störning: meddelanden fördröjda",
        body="Meddelanden mellan enheterna kom fram med upp till 30 minuters fördröjning. "
        "Felet är åtgärdat.",
        starts_at=earlier,
        publish_from=earlier,
        publish_until=earlier + dt.timedelta(days=1),
        now=earlier,
    )
    actions.update_news(
        actor=eva,
        news=disturbance,
        ends_at=earlier + dt.timedelta(hours=2),
        now=earlier + dt.timedelta(hours=2),
    )
    actions.end_news(actor=eva, news=disturbance, now=earlier + dt.timedelta(hours=3))


def _suggestions(world: DemoWorld, *, eva: Actor, now: dt.datetime) -> None:
    anna = _actor(world, "anna", Role.USER)
    karin = _actor(world, "karin", Role.USER)
    maria = _actor(world, "maria", Role.USER)
    first = actions.submit_suggestion(
        actor=anna,
        area=SuggestionArea.WORKLIST,
        title="Sortera arbetslistan på beräknat utskrivningsdatum som standard",
        description="På morgonmötet går vi igenom patienterna i den ordning de ska skrivas ut. "
        "I dag måste jag välja sortering varje gång jag öppnar arbetslistan.",
        benefit="Sparar tid varje morgon och minskar risken att vi missar någon.",
        now=now - dt.timedelta(days=20),
    )
    actions.answer_suggestion(
        actor=eva,
        suggestion=first,
        status=SuggestionStatus.UNDER_REVIEW,
        reply="Tack för förslaget! Vi undersöker om sorteringen kan sparas per användare.",
        now=now - dt.timedelta(days=15),
    )
    actions.answer_suggestion(
        actor=eva,
        suggestion=first,
        status=SuggestionStatus.PLANNED,
        reply="Förslaget är planerat till nästa större version. Arbetslistan kommer ihåg den "
        "sortering du valde senast.",
        now=now - dt.timedelta(days=3),
    )
    actions.submit_suggestion(
        actor=karin,
        area=SuggestionArea.NOTICES,
        title="Visa hjälpmedel tydligare i planeringsunderlaget",
        description="Hjälpmedlen hamnar ofta i fritexten. Ett eget fält med kryssrutor för de "
        "vanligaste hjälpmedlen skulle göra det lättare att se vad som redan finns hemma.",
        now=now - dt.timedelta(days=2),
    )
    rejected = actions.submit_suggestion(
        actor=maria,
        area=SuggestionArea.OTHER,
        title="Skicka meddelanden som sms till patienten",
        description="Det vore bra om patienten fick tiden för SIP-mötet som sms direkt från "
        "Brygga.",
        now=now - dt.timedelta(days=30),
    )
    actions.answer_suggestion(
        actor=eva,
        suggestion=rejected,
        status=SuggestionStatus.REJECTED,
        reply="Brygga är till för samverkan mellan vårdens och kommunens enheter och skickar "
        "inget direkt till patienter. Kallelser till patienten går via vårdcentralens egna "
        "kanaler, t.ex. 1177.",
        now=now - dt.timedelta(days=25),
    )


def matrix_subjects(world: DemoWorld) -> dict[str, list[object]]:
    """URL arguments for the permission matrix (tests/test_permission_matrix.py): rows of
    this demo that belong to Anna (a suggestion) and to Region Stockholm (a contact)."""
    from .models import ElearningLink, NewsItem, Suggestion, SupportContact

    suggestion = Suggestion.objects.filter(submitted_by=world.person("anna")).first()
    contact = SupportContact.objects.filter(
        organisation=world.organisation("region"), unit=world.unit("ks_solna")
    ).first()
    news = NewsItem.objects.order_by("pk").first()
    link = ElearningLink.objects.order_by("pk").first()
    assert suggestion and contact and news and link, "the support demo rows are missing"
    return {
        "help_topic": ["inskrivningsmeddelande"],
        "suggestion": [suggestion.pk],
        "support_contact": [contact.pk],
        "news_item": [news.pk],
        "elearning_link": [link.pk],
    }
