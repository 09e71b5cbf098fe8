"""Named fixtures per role (STYLE.md): organizers Aigerim (private person) and Bolat
(an organization), officer Dana (Almaty), other-city officer Yerlan (Astana)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.db import connection

from agora.accounts.models import Officer, Organizer
from agora.demo import current_code, make_jurisdiction, make_venue, names, republic_square
from agora.rules.services import load_rulebooks

ALMATY = ZoneInfo("Asia/Almaty")
# A fixed "now" for tests: Wednesday 2 March 2022, 10:00 in Almaty.
NOW = dt.datetime(2022, 3, 2, 10, 0, tzinfo=ALMATY)
# "Today" for every test (pages, API, browser): Tuesday 1 December 2026, 10:00 in Almaty.
# The clock runs on from there, so that no test changes meaning as real dates pass.
TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ALMATY)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    """A time in Almaty in March 2022."""
    return dt.datetime(2022, month, day, hour, minute, tzinfo=ALMATY)


def future(days: int = 14, hour: int = 14) -> dt.datetime:
    """A whole hour `days` from today in Almaty (the pinned today: see `pinned_clock`)."""
    return (dt.datetime.now(ALMATY) + dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def file(
    user,
    venue,
    start,
    end,
    *,
    people: int = 300,
    purpose: str = "Peace rally",
    kind: str = "rally",
    at=None,
    **extra,
):
    """The one notice factory: `user` files a notice of `kind` at `venue` from `start` to
    `end` (at `at`, or now), through the same service as the pages and the API."""
    from agora.notices import services

    return services.file_notice(
        user,
        at=at,
        assembly_type=kind,
        purpose=purpose,
        venue=venue,
        starts_at=start,
        ends_at=end,
        expected_participants=people,
        **extra,
    )


def file_rally(
    user, venue, hour: int, *, hours: int = 1, purpose: str = "P", participants: int = 10, **extra
):
    """A rally filed now at `venue`, two weeks ahead, from `hour` for `hours` hours."""
    return file(
        user,
        venue,
        future(hour=hour),
        future(hour=hour + hours),
        people=participants,
        purpose=purpose,
        **extra,
    )


def refuse_with_alternative(notice, officer, venue, hour: int = 16):
    """Refuse on a ground of public order, offering `venue` at `hour` for an hour instead
    (a refusal for another event at the place must show the two cannot be held together:
    tests/notices/test_both_fit.py)."""
    from agora.notices import services

    return services.decide(
        notice,
        officer,
        "refused",
        grounds=["public_order_threat"],
        reasoning="Road works at that time.",
        alternative={"venue": venue.pk, "starts_at": future(hour=hour), "ends_at": future(hour=hour + 1)},
    )


def offer_its_own_time_back(notice):
    """As if the time a refused notice asked for were released: it is offered to it."""
    from agora.scheduling import offers

    [offer] = offers.offer_released(
        notice.jurisdiction, notice.venue, notice.starts_at, notice.ends_at, at=dt.datetime.now(ALMATY)
    )
    return offer


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)


@pytest.fixture
def rulebooks(db):
    return {rb.code: rb for rb, _ in load_rulebooks()}


@pytest.fixture
def almaty(rulebooks):
    return make_jurisdiction("almaty", names("Almaty", "Алматы", "Алматы"), "ALA", "fair")


@pytest.fixture
def almaty_kz(rulebooks):
    """Almaty under the status-quo rulebook."""
    return make_jurisdiction("almaty", names("Almaty", "Алматы", "Алматы"), "ALA", "kz-2020")


@pytest.fixture
def astana(rulebooks):
    return make_jurisdiction("astana", names("Astana", "Астана", "Астана"), "AST", "kz-2020")


@pytest.fixture
def square(almaty):
    return republic_square(almaty)


@pytest.fixture
def square_kz(almaty_kz):
    """Republic Square in Almaty under the status-quo rulebook."""
    return republic_square(almaty_kz)


@pytest.fixture
def officer_kz(almaty_kz):
    """An officer of Almaty under the status-quo rulebook."""
    user = _user("officer-kz")
    Officer.objects.create(user=user, jurisdiction=almaty_kz)
    return user


@pytest.fixture
def gandhi(almaty):
    return make_venue(
        almaty, "gandhi-park", names("Gandhi Park", "Парк Ганди", "Ганди саябағы"), 43.2265, 76.9370, 40, 50
    )


PASSWORD = "pw-for-tests-1"


def _user(username):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def aigerim(db):
    user = _user("aigerim")
    Organizer.objects.create(
        user=user,
        full_name="Aigerim Seitkali",
        phone="+7 701 000 0001",
        national_id="900101400123",
        language="kk",
    )
    return user


@pytest.fixture
def bolat(db):
    user = _user("bolat")
    Organizer.objects.create(
        user=user,
        kind="organization",
        full_name="Bolat Abenov",
        organization_name="Green Almaty Society",
        language="ru",
    )
    return user


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def dana(almaty):
    user = _user("dana")
    Officer.objects.create(user=user, jurisdiction=almaty)
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def yerlan(astana):
    user = _user("yerlan")
    Officer.objects.create(user=user, jurisdiction=astana)
    TOTP.activate(user, TOTP_SECRET)
    return user


def sign_in_with_totp(client, user, secret=TOTP_SECRET):
    """The real officer sign-in: password, then the authenticator code."""
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "/2fa/" in response["Location"], response
    response = client.post(response["Location"], {"code": current_code(secret)})
    assert response.status_code == 302, response.content[:500]
    return client


def body(response) -> bytes:
    """A response's bytes, streamed (the exports) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def vendor():
    return connection.vendor


@pytest.fixture(scope="session")
def _key_dir(tmp_path_factory):
    """The log key and the demonstration CA, made once for the whole run (making keys costs)."""
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def _keys(settings, _key_dir):
    settings.AGORA_KEY_DIR = _key_dir


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """PBKDF2 costs ~0.4 s a user by design; tests make hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def pinned_clock():
    """Every test starts at TODAY; a test that needs another moment travels there itself."""
    with time_machine.travel(TODAY, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _default_language():
    """A request through the test client leaves its language active in the thread (the
    middleware activates, nothing deactivates): start each test in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Used TOTP codes and rate limits live in the cache: start each test without them."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def admin(dana):
    """Dana, an officer who also administers Almaty: the authority's own acts are hers."""
    dana.officer.administers = True
    dana.officer.save()
    return dana


def case_transaction():
    """A transaction a test opens around several actions, as a test case opens its own: each
    action's audit events are written when the action's transaction ends, as they are at
    commit in production (agora.audit.db); without this mark they wait for this one's end."""
    from django.db import transaction

    block = transaction.atomic()
    block._from_testcase = True
    return block
