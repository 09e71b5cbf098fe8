"""The sample city for `agora load-demo`: Almaty and Astana, venues, users, notices in
every state. Everything goes through the same services as real use, so the audit log
of the demo verifies. Venue outlines are illustrative, not surveyed."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from agora.accounts.models import AgencyStaff, Officer, Organizer
from agora.audit.events import Event
from agora.audit.services import record
from agora.notices import authority, consultations, notify
from agora.notices import services as notices
from agora.notices.letters import letter_for
from agora.notices.models import Decision
from agora.rules.models import Agency, Jurisdiction
from agora.rules.services import latest, load_rulebooks
from agora.venues.models import Venue, Zone

# shown in the reader's language where a page shows the note (it is in our catalogs)
ILLUSTRATIVE = gettext_noop("Illustrative outline, not a survey.")
DEMO_PASSWORD = "agora-demo-2026"  # noqa: S105 - printed for the demo, never used in production
DEMO_TOTP_SECRET = "AGORADEMOAGORADEMOAGORADEMOAGORA"  # noqa: S105 - base32, demo officers only
ALMATY = ZoneInfo("Asia/Almaty")


def rectangle(lat: float, lon: float, half_height_m: float, half_width_m: float) -> dict:
    dlat = half_height_m / 111_320
    dlon = half_width_m / (111_320 * 0.7284)  # cos(43.2°)
    ring = [
        [lon - dlon, lat - dlat],
        [lon + dlon, lat - dlat],
        [lon + dlon, lat + dlat],
        [lon - dlon, lat + dlat],
        [lon - dlon, lat - dlat],
    ]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def names(en: str, ru: str, kk: str) -> dict:
    return {"en": en, "ru": ru, "kk": kk}


def make_jurisdiction(
    slug, name, prefix, rulebook_code, address=None, languages=("kk", "ru", "en")
) -> Jurisdiction:
    rulebook = latest(rulebook_code)
    return Jurisdiction.objects.create(
        slug=slug,
        name=name,
        address=address or {},
        timezone=rulebook.rules.timezone,
        languages=list(languages),
        rulebook=rulebook,
        reference_prefix=prefix,
    )


@transaction.atomic
def make_venue(jurisdiction, slug, name, lat, lon, h, w, zones=(), **extra) -> Venue:
    """A place set up as the admin site sets one up: with its `venue.added` event."""
    venue = Venue.objects.create(
        jurisdiction=jurisdiction,
        slug=slug,
        name=name,
        geometry=rectangle(lat, lon, h, w),
        geometry_note=ILLUSTRATIVE,
        **extra,
    )
    for zone_slug, zone_name, geometry in zones or [
        ("main", names("Whole venue", "Вся площадка", "Бүкіл алаң"), None)
    ]:
        Zone.objects.create(venue=venue, slug=zone_slug, name=zone_name, geometry=geometry)
    record(
        Event.VENUE_ADDED,
        None,
        venue,
        {
            "jurisdiction": jurisdiction.slug,
            "slug": slug,
            "designated": venue.designated,
            "capacity": venue.capacity,
            "zones": [z.slug for z in venue.zones.all()],
        },
    )
    return venue


def republic_square(jurisdiction) -> Venue:
    """Republic Square, Almaty, around 43.2380 N, 76.9453 E: two zones, west and east."""
    lat, lon = 43.2380, 76.9453
    west = rectangle(lat, lon - 0.000857, 75, 62)
    east = rectangle(lat, lon + 0.000857, 75, 62)
    return make_venue(
        jurisdiction,
        "republic-square",
        names("Republic Square", "Площадь Республики", "Республика алаңы"),
        lat,
        lon,
        75,
        125,
        zones=[
            ("west", names("West half", "Западная часть", "Батыс бөлігі"), west),
            ("east", names("East half", "Восточная часть", "Шығыс бөлігі"), east),
        ],
        address="Republic Square, Almaty",
    )


def make_user(username, *, superuser=False, first_name="", last_name=""):
    user_model = get_user_model()
    make = user_model.objects.create_superuser if superuser else user_model.objects.create_user
    user = make(
        username, f"{username}@example.org", DEMO_PASSWORD, first_name=first_name, last_name=last_name
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def current_code(secret: str) -> str:
    """The TOTP code an authenticator app shows now for `secret`."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def give_totp(user):
    """Demo officers sign in with TOTP too; the demo secret is public (README), so
    `agora demo-totp` can print the current code."""
    TOTP.activate(user, DEMO_TOTP_SECRET)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), ALMATY)


def load_demo(*, now: dt.datetime | None = None, almaty_rulebook: str = "fair") -> dict:
    """Create the sample city; returns a dict of the named objects (for tests). Its history
    sends no e-mail (nobody is waiting for it, and the console shows the users and the URL)."""
    with notify.muted(), transaction.atomic():
        made = _load_demo(now=now or timezone.now(), almaty_rulebook=almaty_rulebook)
    # each decision's signed letter, as the job queue issues it after a decision
    for decision in Decision.objects.filter(letter__isnull=True).select_related("notice"):
        letter_for(decision)
    return made


def _load_demo(*, now: dt.datetime, almaty_rulebook: str) -> dict:
    load_rulebooks()
    almaty = make_jurisdiction(
        "almaty",
        names("Almaty mayor's office", "Акимат города Алматы", "Алматы қаласының әкімдігі"),
        "ALA",
        almaty_rulebook,
        names(
            "4 Republic Square, Almaty 050001, Kazakhstan",
            "Республика Казахстан, 050001, г. Алматы, пл. Республики, 4",
            "Қазақстан Республикасы, 050001, Алматы қ., Республика алаңы, 4",
        ),
    )
    astana = make_jurisdiction(
        "astana",
        names("Astana mayor's office", "Акимат города Астаны", "Астана қаласының әкімдігі"),
        "AST",
        "kz-2020",
        names(
            "11 Beibitshilik Street, Astana 010000, Kazakhstan",
            "Республика Казахстан, 010000, г. Астана, ул. Бейбітшілік, 11",
            "Қазақстан Республикасы, 010000, Астана қ., Бейбітшілік көшесі, 11",
        ),
    )
    square = republic_square(almaty)
    gandhi = make_venue(
        almaty,
        "gandhi-park",
        names("Gandhi Park", "Парк Ганди", "Ганди саябағы"),
        43.2265,
        76.9370,
        40,
        50,
        address="Gandhi Park, Almaty",
    )
    sary_arka = make_venue(
        almaty,
        "sary-arka-square",
        names(
            "Sary-Arka Cinema Square",
            "Площадь у кинотеатра «Сары-Арка»",
            "«Сарыарқа» кинотеатры алдындағы алаң",
        ),
        43.2410,
        76.9050,
        30,
        40,
        address="Sary-Arka cinema, Almaty",
    )
    astana_park = make_venue(
        astana,
        "central-park",
        names("Central Park square", "Площадь Центрального парка", "Орталық саябақ алаңы"),
        51.1540,
        71.4220,
        40,
        60,
    )

    make_user("admin", superuser=True)
    dana = make_user("dana", first_name="Dana", last_name="Sarsenova")  # signs Almaty's letters
    # Dana also administers Almaty: she declares its closures, place changes and calendar days
    Officer.objects.create(
        user=dana,
        jurisdiction=almaty,
        position=names(
            "Head of the public order unit",
            "Руководитель отдела общественного порядка",
            "Қоғамдық тәртіп бөлімінің басшысы",
        ),
        administers=True,
    )
    give_totp(dana)
    yerlan = make_user("yerlan", first_name="Yerlan", last_name="Akhmetov")
    Officer.objects.create(
        user=yerlan,
        jurisdiction=astana,
        position=names("Chief specialist", "Главный специалист", "Бас маман"),
    )
    give_totp(yerlan)
    aigerim = make_user("aigerim")
    Organizer.objects.create(
        user=aigerim,
        kind=Organizer.Kind.PERSON,
        full_name="Aigerim Nurlanovna Seitkali",
        phone="+7 701 555 0101",
        national_id="900101400123",
        language="kk",
    )
    bolat = make_user("bolat")
    Organizer.objects.create(
        user=bolat,
        kind=Organizer.Kind.ORGANIZATION,
        full_name="Bolat Serikovich Abenov",
        organization_name="Green Almaty Society",
        phone="+7 702 555 0202",
        national_id="850505300456",
        language="ru",
    )

    today = now.astimezone(ALMATY).date()
    ahead, past = today + dt.timedelta(days=12), today - dt.timedelta(days=20)
    past_filed = now - dt.timedelta(days=30)
    made: dict = {
        "almaty": almaty,
        "astana": astana,
        "square": square,
        "gandhi": gandhi,
        "sary_arka": sary_arka,
        "astana_park": astana_park,
    }

    def notice(
        user,
        key,
        venue,
        day,
        start_h,
        end_h,
        *,
        filed=None,
        kind="rally",
        people=150,
        submit=True,
        window=None,
    ):
        fields = dict(
            assembly_type=kind,
            topic=TOPICS[key],
            purpose=PURPOSES[key],
            venue=venue,
            # an hour, or an hour and a half (12.5: 12:30)
            starts_at=local(day, int(start_h), round(start_h % 1 * 60)),
            ends_at=local(day, int(end_h), round(end_h % 1 * 60)),
            expected_participants=people,
            stewards=people // 50,
        )
        if window:
            fields.update(window_start=local(day, window[0]), window_end=local(day, window[1]))
        n = notices.create_draft(user, **fields)
        if submit:
            n = notices.submit(n, user, at=filed or now - dt.timedelta(hours=2))
        made[key] = n
        return n

    notice(aigerim, "draft", gandhi, ahead, 10, 11, submit=False)
    notice(aigerim, "submitted", sary_arka, ahead, 12, 14, kind="picket", people=5)
    n = notice(bolat, "under_review", gandhi, ahead, 15, 17, kind="meeting", people=80)
    notices.start_review(n, dana)
    n = notice(bolat, "accepted", square, ahead, 10, 12, people=400)
    notices.decide(n, dana, "accepted", reasoning="The notice meets every requirement.")
    n = notice(aigerim, "accepted_with_conditions", gandhi, ahead + dt.timedelta(days=1), 11, 13, people=60)
    notices.decide(
        n,
        dana,
        "accepted_with_conditions",
        conditions="No sound amplification after 12:30.",
        reasoning="Residents nearby.",
    )
    n = notice(bolat, "alternative_offered", sary_arka, ahead + dt.timedelta(days=1), 9, 11, people=2000)
    notices.decide(
        n,
        dana,
        "alternative_offered",
        grounds=["capacity"],
        reasoning="2,000 participants exceed the square's capacity; Republic Square fits them.",
        alternative={
            "venue": square.pk,
            "starts_at": local(ahead + dt.timedelta(days=1), 14),
            "ends_at": local(ahead + dt.timedelta(days=1), 16),
        },
    )
    n = notice(aigerim, "refused", gandhi, ahead + dt.timedelta(days=2), 21, 22, kind="picket", people=3)
    notices.decide(
        n,
        dana,
        "refused",
        grounds=["outside_hours"],
        reasoning="Assemblies end by 20:00.",
        alternative={
            "venue": gandhi.pk,
            "starts_at": local(ahead + dt.timedelta(days=2), 18),
            "ends_at": local(ahead + dt.timedelta(days=2), 19),
        },
    )
    n = notice(bolat, "withdrawn", square, ahead + dt.timedelta(days=3), 10, 11)
    notices.withdraw(n, bolat, reason="Event postponed.")

    # Past notices, filed and decided weeks ago.
    for key, outcome, user, venue, hour in [
        ("held", "held", bolat, square, 10),
        ("not_held", "not_held", aigerim, gandhi, 12),
        ("deemed_accepted", None, aigerim, sary_arka, 15),
    ]:
        n = notice(user, key, venue, past, hour, hour + 2, filed=past_filed)
        if outcome:
            notices.decide(
                n, dana, "accepted", reasoning="Meets the requirements.", at=past_filed + dt.timedelta(days=1)
            )
            notices.record_held(n, dana, held=outcome == "held", at=local(past, hour + 3))
        else:
            notices.apply_silence(n, at=n.decision_due_at + dt.timedelta(minutes=5))
    n = notice(
        aigerim,
        "deemed_refused",
        square,
        past + dt.timedelta(days=7),
        10,
        12,
        kind="march",
        filed=past_filed - dt.timedelta(days=10),
    )
    notices.apply_silence(n, at=n.decision_due_at + dt.timedelta(minutes=5))
    for key, grant in [("appealed", None), ("upheld", False), ("overturned", True)]:
        n = notice(
            aigerim if grant is None else bolat,
            key,
            gandhi,
            ahead + dt.timedelta(days=4 + len(key) % 3),
            10 + 3 * (grant is True),
            12 + 3 * (grant is True),
            people=40,
        )
        notices.decide(
            n,
            dana,
            "refused",
            grounds=["public_order_threat"],
            reasoning="Road works nearby.",
            alternative={"venue": sary_arka.pk, "starts_at": n.starts_at, "ends_at": n.ends_at},
        )
        notices.appeal(n, n.organizer.user, text="There are no road works on that date.")
        if grant is not None:
            notices.resolve_appeal(n, dana, grant=grant, reasoning="Checked with the roads department.")
    # the authority's own act, public with when it was declared: the park's lawns are re-seeded
    authority.declare_closure(
        dana,
        gandhi,
        ground="maintenance",
        kind="maintenance",
        reason="The lawns are re-seeded; the park reopens at noon.",
        starts_at=local(ahead + dt.timedelta(days=3), 7),
        ends_at=local(ahead + dt.timedelta(days=3), 12),
    )
    # a contested day for the day plan: three rallies want Sary-Arka Square; the first filed
    # accepts any time of the day, and accepted as filed it would leave the other two without
    # a place; the plan moves it to the afternoon and all three fit
    contest = today + dt.timedelta(days=10)  # within the rally's notice period, not too early
    notice(
        bolat,
        "contest_any_time",
        sary_arka,
        contest,
        11,
        13,
        people=300,
        window=(9, 20),
        filed=now - dt.timedelta(hours=5),
    )
    notice(
        aigerim, "contest_morning", sary_arka, contest, 10, 12, people=200, filed=now - dt.timedelta(hours=4)
    )
    notice(
        aigerim, "contest_noon", sary_arka, contest, 12.5, 13.5, people=250, filed=now - dt.timedelta(hours=3)
    )
    # the next day, an accepted rally that accepts any time holds Sary-Arka at 11:00; a later
    # one can only be there at noon: the day plan asks the first's organizer to move (nothing
    # moves unless they agree)
    moving = contest + dt.timedelta(days=1)
    n = notice(
        bolat,
        "move_accepted",
        sary_arka,
        moving,
        11,
        13,
        people=300,
        window=(9, 20),
        filed=now - dt.timedelta(hours=6),
    )
    notices.decide(n, dana, "accepted", reasoning="The notice meets every requirement.")
    notice(
        aigerim, "move_waiting", sary_arka, moving, 11.5, 12.5, people=250, filed=now - dt.timedelta(hours=2)
    )
    made["consulted"] = _consultation(almaty, bolat, square, ahead + dt.timedelta(days=5), now, notice)
    made.update(_other_cities(now, aigerim))
    return made


AGENCIES = [  # code, name, its staff member's user name
    (
        "police",
        names(
            "Almaty police department",
            "Департамент полиции г. Алматы",
            "Алматы қаласының полиция департаменті",
        ),
        "marat",
    ),
    (
        "traffic",
        names("Traffic police", "Управление административной полиции (дорожная)", "Жол полициясы басқармасы"),
        "saule",
    ),
    (
        "emergency",
        names(
            "Emergency services", "Департамент по чрезвычайным ситуациям", "Төтенше жағдайлар департаменті"
        ),
        "nurlan",
    ),
]


def _consultation(almaty, organizer, square, day, now, notice):
    """Almaty's rulebook has the police, traffic and emergency services sign off a march: one
    staff member each, and a march waiting for them. The police consent, traffic consents with
    conditions, emergency services have not answered yet (the officer sees whom the decision
    waits for)."""
    staff = {}
    for code, name, username in AGENCIES:
        agency = Agency.objects.create(jurisdiction=almaty, code=code, name=name)
        staff[code] = make_user(username)
        AgencyStaff.objects.create(user=staff[code], agency=agency)
        give_totp(staff[code])
    march = notice(organizer, "consulted", square, day, 11, 13, kind="march", people=600)
    asked = {c.agency.code: c for c in march.consultations.select_related("agency")}
    answered = now - dt.timedelta(hours=1)
    consultations.answer(asked["police"], staff["police"], "consent", at=answered)
    consultations.answer(
        asked["traffic"],
        staff["traffic"],
        "consent_with_conditions",
        conditions=["route_as_agreed", "traffic_marshals"],
        conditions_text="Проспект Абая закрыт для транспорта с 10:30 до 13:30.",
        at=answered,
    )
    return march


# One city for each other shipped rulebook: its authority, its places, and notices filed
# under its own periods (issue 18). Nobody decides them in the demo; silence does.
CITIES = [
    (
        "moscow",
        names("Moscow city government", "Правительство Москвы", "Мәскеу қаласының үкіметі"),
        "MSK",
        "ru-54fz",
        ("ru", "en"),
        names(
            "13 Tverskaya Street, Moscow 125032, Russia",
            "Россия, 125032, г. Москва, ул. Тверская, 13",
            "Ресей, 125032, Мәскеу қ., Тверская көшесі, 13",
        ),
        [
            (
                "sokolniki",
                names("Sokolniki Park", "Парк «Сокольники»", "Сокольники саябағы"),
                55.7920,
                37.6770,
            ),
            ("gorky-park", names("Gorky Park", "Парк Горького", "Горький саябағы"), 55.7298, 37.6011),
            (
                "pushkin-square",
                names("Pushkin Square", "Пушкинская площадь", "Пушкин алаңы"),
                55.7656,
                37.6057,
            ),
        ],
    ),
    (
        "london",
        names("Metropolitan Police Service", "Столичная полиция Лондона", "Лондон астаналық полициясы"),
        "LON",
        "uk-poa-1986",
        ("en",),
        names(
            "New Scotland Yard, Victoria Embankment, London SW1A 2JL, United Kingdom",
            "Великобритания, Лондон SW1A 2JL, Виктория-Эмбанкмент, Нью-Скотленд-Ярд",
            "Ұлыбритания, Лондон SW1A 2JL, Виктория-Эмбанкмент, Нью-Скотленд-Ярд",
        ),
        [
            (
                "trafalgar-square",
                names("Trafalgar Square", "Трафальгарская площадь", "Трафальгар алаңы"),
                51.5080,
                -0.1281,
            ),
            (
                "parliament-square",
                names("Parliament Square", "Парламентская площадь", "Парламент алаңы"),
                51.5005,
                -0.1263,
            ),
        ],
    ),
    (
        "berlin",
        names(
            "Berlin Police, assembly authority",
            "Полиция Берлина, орган по делам собраний",
            "Берлин полициясы, жиналыстар жөніндегі орган",
        ),
        "BER",
        "de-be-versfg",
        ("en",),
        names(
            "Platz der Luftbrücke 6, 12101 Berlin, Germany",
            "Германия, 12101, Берлин, Плац-дер-Люфтбрюкке, 6",
            "Германия, 12101, Берлин, Плац-дер-Люфтбрюкке, 6",
        ),
        [
            ("pariser-platz", names("Pariser Platz", "Парижская площадь", "Париж алаңы"), 52.5163, 13.3789),
            ("alexanderplatz", names("Alexanderplatz", "Александерплац", "Александерплац"), 52.5219, 13.4132),
        ],
    ),
]
# (city, venue, type, days ahead, start hour, end hour, participants, purpose)
CITY_NOTICES = [
    ("moscow", "pushkin-square", "rally", 12, 12, 14, 300, "Rally for the city's green belt."),
    ("moscow", "sokolniki", "meeting", 1, 15, 17, 200, "Meeting on park opening hours."),  # no notice needed
    ("london", "trafalgar-square", "procession", 10, 11, 13, 800, "Procession for cleaner air in London."),
    ("london", "parliament-square", "assembly", 1, 12, 13, 50, "Assembly for bus routes."),  # s.14: no notice
    ("berlin", "alexanderplatz", "assembly", 5, 16, 18, 400, "Assembly for affordable rents."),
]


def _other_cities(now: dt.datetime, organizer) -> dict:
    made, venues = {}, {}
    for slug, name, prefix, code, languages, address, places in CITIES:
        city = made[slug] = make_jurisdiction(slug, name, prefix, code, address, languages)
        for venue_slug, venue_name, lat, lon in places:
            venues[slug, venue_slug] = make_venue(city, venue_slug, venue_name, lat, lon, 50, 70)
    for slug, venue_slug, kind, days, start_h, end_h, people, purpose in CITY_NOTICES:
        city, venue = made[slug], venues[slug, venue_slug]
        day = city.local_day(now) + dt.timedelta(days=days)
        n = notices.file_notice(
            organizer,
            at=now - dt.timedelta(hours=1),
            assembly_type=kind,
            purpose=purpose,
            venue=venue,
            starts_at=city.at(day, dt.time(start_h)),
            ends_at=city.at(day, dt.time(end_h)),
            expected_participants=people,
        )
        made[f"{slug}_{venue_slug}"] = n
    return made


TOPICS = {  # what each demo notice is about (the statistics count refusals by it)
    "draft": "culture",
    "submitted": "transport",
    "under_review": "city",
    "accepted": "environment",
    "accepted_with_conditions": "transport",
    "alternative_offered": "environment",
    "refused": "city",
    "withdrawn": "transport",
    "held": "environment",
    "not_held": "transport",
    "deemed_accepted": "environment",
    "deemed_refused": "rights",
    "consulted": "environment",
    "appealed": "media",
    "upheld": "prices",
    "overturned": "environment",
    "contest_any_time": "city",
    "contest_morning": "transport",
    "contest_noon": "environment",
    "move_accepted": "transport",
    "move_waiting": "city",
}
PURPOSES = {
    "draft": "Reading of poems in memory of Abai.",
    "submitted": "Picket for safer pedestrian crossings on Abai Avenue.",
    "under_review": "Public meeting on the future of the city's parks.",
    "accepted": "Rally for clean air in Almaty.",
    "accepted_with_conditions": "Rally for affordable public transport.",
    "alternative_offered": "Rally against the felling of old trees.",
    "refused": "Evening picket for better street lighting.",
    "withdrawn": "Rally for cycling lanes.",
    "held": "Rally to protect the Kok-Zhailau nature area.",
    "not_held": "Rally for accessible buses.",
    "deemed_accepted": "Rally for clean rivers.",
    "deemed_refused": "March for the right to peaceful assembly.",
    "consulted": "March for clean air along Abay Avenue.",
    "appealed": "Rally in support of independent media.",
    "upheld": "Meeting on tariffs for utilities.",
    "overturned": "Rally for the protection of green spaces.",
    "contest_any_time": "Rally for a car-free city centre on Sundays.",
    "contest_morning": "Rally for more night buses.",
    "contest_noon": "Rally for shade trees in school yards.",
    "move_accepted": "Rally for night buses to the suburbs.",
    "move_waiting": "Rally for smaller classes in city schools.",
}
