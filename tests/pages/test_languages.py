"""Every page each role can reach, in Kazakh and Russian, with the demo city: no English
interface text, no raw codes, no machine timestamps. The crawler follows the links of each
page (GET only) as a visitor, an organizer and an officer, and reads the text a reader sees.

What is allowed in a kk or ru page: what people wrote (purposes, reasons, names: taken from
the database), references, numbers, and a few proper names (Agora, API, CSV…). Anything else
in Latin letters is English the reader was not given in their language."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from agora.accounts.models import Organizer
from agora.audit.events import Event
from agora.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, current_code
from agora.notices.models import Decision, Notice
from agora.notices.workflow import Status
from agora.rules.models import Rulebook
from agora.venues.models import Closure, Venue, VenueChange, Zone

# names of things, not words to translate
PROPER = {
    "Agora",
    "API",
    "OpenAPI",
    "CSV",
    "JSON",
    "GeoJSON",
    "iCal",
    "iCalendar",
    "Atom",
    "PDF",
    "QR",
    "SHA-256",
    "TOTP",
    "HMAC",
    "English",
    "OpenStreetMap",
    "Leaflet",
    "htmx",
    "UTC",
    "VersFG",  # Berlin's assembly law, as its title abbreviates it
    "gzip",
    "RFC",  # the Merkle tree's standard (RFC 9162) and the project it comes from
    "Certificate Transparency",
    "Merkle",
    "Python",  # the offline verifier: a Python file, the package it needs, the command
    "cryptography",
    "pip install",
    "agora_verify",
    "e-mail",  # the Russian loanword (allauth's own catalog writes it so)
    "E-mail",
}
# a name may take a suffix of the language ("API-ды")
PROPER_WORDS = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(PROPER, key=len, reverse=True)) + r")(-\w+)?"
)
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")
SKIP_PATHS = ("/api/", "/admin/", "/static/", "/i18n/", "/accounts/logout/", "/letters/")
SKIP_SUFFIXES = (".csv", ".json", ".jsonl", ".gz", ".ics", ".atom", ".pdf", ".geojson")
MAX_PAGES = 120


class Text(HTMLParser):
    """The text a reader sees, node by node (not scripts, styles or code), and the links."""

    HIDDEN = {"script", "style", "code", "pre", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        # what a reader is shown or told: placeholders, labels, titles, button values
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attributes.get(name):
                self.nodes.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.nodes.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.nodes.append(" ".join(data.split()))


def read(html: str) -> Text:
    text = Text()
    text.feed(html)
    return text


def people_wrote() -> re.Pattern:
    """Everything in the database that people typed or named: shown as they wrote it."""
    words: set[str] = set()
    for notice in Notice.objects.all():
        words |= {notice.purpose, notice.equipment, notice.withdraw_reason, notice.appeal_text}
        words |= {notice.reference or ""}
    for decision in Decision.objects.all():
        words |= {decision.reasoning, decision.conditions, decision.reference}
    words |= set(get_user_model().objects.values_list("username", flat=True))
    words |= set(get_user_model().objects.values_list("email", flat=True))
    for organizer in Organizer.objects.all():
        words |= {organizer.public_name, organizer.organization_name, organizer.full_name, organizer.phone}
    for model in (Venue, Zone):
        for row in model.objects.all():
            words |= set(row.name.values()) | {getattr(row, "address", ""), getattr(row, "slug", "")}
    for closure in Closure.objects.all():
        words |= {closure.reason, getattr(closure, "lift_reason", "")}
    for change in VenueChange.objects.all():
        words.add(change.reason)
    for book in Rulebook.objects.all():
        words |= {book.code, str(book)}
    texts = sorted({w for w in words if w}, key=len, reverse=True)
    # each as a whole: "on" (a word of a purpose) is not a part of "decision"
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in texts) + r")(?!\w)")


CODES = {*(str(s) for s in Status), *(e.value for e in Event)}


def problems_in(path: str, html: str, lang: str, allowed: re.Pattern) -> list[str]:
    found = []
    for node in read(html).nodes:
        if ISO_MOMENT.search(node):
            found.append(f"{lang} {path}: a machine timestamp: {node[:120]!r}")
        if node in CODES or re.fullmatch(r"[a-z]+(_[a-z]+)+", node):
            found.append(f"{lang} {path}: a raw code: {node!r}")
            continue
        if lang == "en":
            continue
        rest = allowed.sub(" ", node)
        english = LATIN_WORD.findall(PROPER_WORDS.sub(" ", rest))
        if english:
            found.append(f"{lang} {path}: English {' '.join(english[:8])!r} in {node[:120]!r}")
    return found


def crawl(client, lang: str, start: list[str], allowed: re.Pattern) -> tuple[list[str], int]:
    client.cookies["django_language"] = lang
    seen, queue, problems = set(), list(start), []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=lang)
        if response.status_code not in (200, 403, 404) or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        problems += problems_in(path, html, lang, allowed)
        for href in read(html).links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith(SKIP_PATHS) or parts.path.endswith(SKIP_SUFFIXES):
                continue
            if "cursor=" in link or link in seen:
                continue
            queue.append(link)
    return problems, len(seen)


@pytest.fixture
def city(db):
    call_command("load-demo", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    return people_wrote()


ROLES = ["visitor", "organizer", "officer"]
OFFICE_PAGES = ["/", "/office/", "/office/day/", "/office/closures/", "/office/places/", "/office/calendar/"]


def client_for(role, client, django_user_model, lang):
    client.cookies["django_language"] = lang  # before signing in: its message is in the language
    if role == "organizer":
        client.force_login(django_user_model.objects.get(username="aigerim"))
        return client, ["/", "/notices/", "/notices/new/", "/accounts/tokens/", "/office/", "/notices/99999/"]
    if role == "officer":
        response = client.post("/accounts/login/", {"login": "dana", "password": DEMO_PASSWORD})
        client.post(response["Location"], {"code": current_code(DEMO_TOTP_SECRET)})
        return client, OFFICE_PAGES
    return client, [
        "/",
        "/register/",
        "/statistics/",
        "/audit/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
        "/decisions/NO-SUCH/",
    ]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_the_readers_language(city, client, django_user_model, role, lang):
    client, start = client_for(role, client, django_user_model, lang)
    problems, pages = crawl(client, lang, start, city)
    if os.environ.get("AGORA_LANGUAGE_REPORT"):  # every problem, for working through them
        with open(os.environ["AGORA_LANGUAGE_REPORT"], "a", encoding="utf-8") as report:
            report.writelines(f"{role} {line}\n" for line in problems)
    assert pages >= 5
    assert problems == [], f"{len(problems)} problems on {pages} pages:\n" + "\n".join(problems[:80])
