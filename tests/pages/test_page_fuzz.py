"""Every page of Agora, fuzzed: hypothesis draws a route from the URLconf (the apps' own
pages, not the admin or the API, which schemathesis covers), ids that exist or not, query
strings with the filters' names and hostile values (dates at the ends of the calendar,
offsets no zone has, huge numbers, NUL-free unicode, injection strings) and, for POST, the
form fields the page itself shows, with such values; as a visitor, an organizer and an
officer. No answer may be a server error. `AGORA_PAGE_FUZZ_EXAMPLES` raises the count."""

from __future__ import annotations

import os
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.notices import services
from tests.conftest import file_rally, sign_in_with_totp

EXAMPLES = int(os.environ.get("AGORA_PAGE_FUZZ_EXAMPLES", "12"))  # per route
SKIP = (
    "admin/",
    "api/",
    "i18n/",
    "accounts/login",
    "accounts/logout",
    "accounts/signup",
    "accounts/password",
    "accounts/email",
    "accounts/confirm",
    "accounts/2fa",
    "accounts/3rdparty",
    "accounts/reauthenticate",
    "accounts/inactive",
    "accounts/social",
    "accounts/code",
    "accounts/login/code",
)


def routes() -> list[str]:
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and not route.startswith(SKIP) and "^" not in route:
                found.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ROUTES = routes()
HOSTILE = st.sampled_from(
    [
        "9999-12-31",
        "0001-01-01",
        "2026-12-01",
        "2026-02-30",
        "2026-12-01T10:00:00+23:59",
        "-1",
        "0",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "week",
        "day",
        "",
        " ",
        "a" * 3000,
        "ЖҰМА",
        "%",
        "=cmd|' /C calc'!A0",
    ]
)
VALUES = st.one_of(
    HOSTILE,
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
    st.integers(-10, 10**12).map(str),
)
DATES = st.sampled_from(["9999-12-31", "0001-01-01", "2026-12-01", "2026-02-30", "2026-12", "31.12.2026"])
NUMBERS = st.sampled_from(["1", "2", "0", "-1", "99999999999999999999999", "1e309", "x"])
# each filter a page knows, with the values that break its kind, and a few it does not know
QUERY = st.fixed_dictionaries(
    {},
    optional={
        **{k: DATES for k in ("date", "date_from", "date_to", "start_date", "end_date", "day")},
        **{k: NUMBERS for k in ("venue", "offer", "zone", "page", "organizer", "venues")},
        **{
            k: VALUES for k in ("type", "ground", "outcome", "cursor", "view", "after", "q", "status", "next")
        },
    },
)


def fill(route: str, pk: int) -> str:
    route = re.sub(r"<int:\w+>", str(pk), route)
    route = re.sub(r"<str:\w+>", "ALA-2026-000001", route)
    return "/" + route


@pytest.fixture
def clients(db, square, gandhi, aigerim, bolat, dana):
    notice = file_rally(aigerim, square, 10)
    services.decide(notice, dana, "accepted", reasoning="Fine.")
    file_rally(bolat, square, 14)
    dana.officer.administers = True
    dana.officer.save()
    ids = [square.pk, gandhi.pk, notice.pk, notice.pk + 1, 0, 2**63 - 1]  # real ones first
    organizer, officer = Client(), Client()
    organizer.force_login(aigerim)
    sign_in_with_totp(officer, dana)
    return {"visitor": Client(), "organizer": organizer, "officer": officer, "ids": ids}


FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.parametrize("route", ROUTES)
@given(
    who=st.sampled_from(["visitor", "organizer", "officer"]),
    pk=st.integers(min_value=0, max_value=5),  # an index into the ids the fixture made
    query=QUERY,
    post=st.booleans(),
    form=st.lists(VALUES, min_size=12, max_size=12),
)
def test_no_page_answers_with_a_server_error(clients, who, route, pk, query, post, form):
    client = clients[who]
    url = fill(route, clients["ids"][pk])
    page = client.get(url, query)
    assert page.status_code < 500, (who, url, query)
    if post and page.status_code == 200 and not page.streaming:
        names = sorted(set(FIELD.findall(page.content.decode(errors="replace"))) - {"csrfmiddlewaretoken"})
        data = {name: form[i % len(form)] for i, name in enumerate(names)}
        answer = client.post(url, data)
        assert answer.status_code < 500, (who, url, data)
