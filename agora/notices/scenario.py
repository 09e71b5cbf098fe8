"""Scenarios as data: any case replayed step by step from a YAML file (issue 18).

A scenario names a jurisdiction and its rulebook, its places, its people, and the steps in
the order they happened: notices filed at their filing times, the officer's decisions (one by
one, or a day resolved with the optimiser), check-ins and check-outs, assemblies recorded as
held. `replay_file` runs one against the current database, which must be empty (the `agora
scenario` command gives it a fresh temporary one), and returns what happened: the steps in
words, each notice's outcome, the offers made, the day's flags and the allocation.

The files live in `agora/scenarios/`; PRODUCT.md §6's seed case is `almaty-2022-03-19.yaml`.
A moment may differ by rulebook (`at: {kz-2020: "…", fair: "…"}`), so one file tells the
same story under each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agora.accounts.models import Officer, Organizer
from agora.demo import make_jurisdiction, make_venue, republic_square
from agora.rules.services import load_rulebooks
from agora.scheduling.flags import bookings_on, flags_for
from agora.scheduling.models import Offer
from agora.scheduling.planning import propose_day

from . import services as notices

FOLDER = Path(__file__).resolve().parent.parent / "scenarios"
ACTIONS = ("file", "decide", "resolve_day", "check_in", "check_out", "held", "withdraw")


class ScenarioError(ValueError):
    """A scenario file is malformed, or a step cannot be replayed; the message says which."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Names = dict[Literal["en", "ru", "kk", "de"], str]
# a local moment ("2022-03-19 14:00"), or one per rulebook
Moment = str | dt.datetime | dict[str, str | dt.datetime]


class JurisdictionIn(_Strict):
    slug: str
    name: Names
    prefix: str = Field(min_length=2, max_length=8)


class ZoneIn(_Strict):
    slug: str
    name: Names


class PlaceIn(_Strict):
    preset: Literal["republic-square"] | None = None  # the demo's outline of Republic Square
    name: Names | None = None
    lat: float | None = None
    lon: float | None = None
    half_height_m: float = 50
    half_width_m: float = 70
    zones: list[ZoneIn] = []

    @model_validator(mode="after")
    def _described(self) -> PlaceIn:
        if self.preset is None and (self.name is None or self.lat is None or self.lon is None):
            raise ValueError("give a preset, or the place's name, lat and lon")
        return self


class OrganizerIn(_Strict):
    kind: Literal["person", "organization"] = "person"
    full_name: str
    organization_name: str = ""


class Step(_Strict):
    at: Moment
    # one action, naming the notice (its label) or the day it acts on
    file: str | None = None
    decide: str | None = None
    resolve_day: dt.date | None = None
    check_in: str | None = None
    check_out: str | None = None
    held: list[str] | None = None
    withdraw: str | None = None
    # what a filing says
    type: str | None = None
    topic: str = ""
    place: str | None = None
    purpose: str = ""
    starts: Moment | None = Field(default=None, alias="from")
    ends: Moment | None = Field(default=None, alias="to")
    participants: int | None = Field(default=None, gt=0)
    # what a decision says
    outcome: str | None = None
    grounds: list[str] = []
    reasoning: str = ""
    conditions: str = ""
    reason: str = ""

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        chosen = [name for name in ACTIONS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(
                f"each step takes exactly one of {', '.join(ACTIONS)}; this one has {chosen or 'none'}"
            )
        if self.file and not (self.type and self.place and self.starts and self.ends and self.participants):
            raise ValueError("a filing gives type, place, from, to and participants")
        if self.decide and not self.outcome:
            raise ValueError("a decision gives its outcome")
        return self

    @property
    def action(self) -> str:
        return next(name for name in ACTIONS if getattr(self, name) is not None)


class FlagsAt(_Strict):
    day: dt.date
    at: Moment


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    rulebook: str
    jurisdiction: JurisdictionIn
    places: dict[str, PlaceIn] = Field(min_length=1)
    officers: list[str] = Field(min_length=1)
    organizers: dict[str, OrganizerIn] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    flags: FlagsAt | None = None

    @model_validator(mode="after")
    def _known_names(self) -> Scenario:
        filed: set[str] = set()
        for number, step in enumerate(self.steps, 1):
            if step.file:
                if step.file not in self.organizers:
                    raise ValueError(f"steps.{number}: {step.file!r} is not one of the organizers")
                if step.place not in self.places:
                    raise ValueError(f"steps.{number}: place {step.place!r} is not one of the places")
                filed.add(step.file)
            for label in [step.decide, step.check_in, step.check_out, step.withdraw, *(step.held or [])]:
                if label is not None and label not in filed:
                    raise ValueError(f"steps.{number}: {label!r} has not filed a notice before this step")
        return self


def load(source: str | Path) -> Scenario:
    """A scenario by name (a file of `agora/scenarios/`) or by path."""
    path = Path(source)
    if not path.suffix:
        path = FOLDER / f"{source}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in FOLDER.glob("*.yaml")))
        raise ScenarioError(f"{source}: no such scenario file (shipped: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Scenario.model_validate(data)
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path.name}: not valid YAML: {error}") from None
    except ValidationError as error:
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise ScenarioError(f"{path.name}: {where}") from None


def replay(rulebook: str, *, time_limit: float = 10.0) -> dict:
    """PRODUCT.md §6's seed scenario under `rulebook`."""
    return replay_file(load("almaty-2022-03-19"), rulebook, time_limit=time_limit)


def replay_file(scenario: Scenario, rulebook: str | None = None, *, time_limit: float = 10.0) -> dict:
    return _Replay(scenario, rulebook or scenario.rulebook, time_limit).run()


class _Replay:
    def __init__(self, scenario: Scenario, rulebook: str, time_limit: float) -> None:
        self.scenario, self.rulebook, self.time_limit = scenario, rulebook, time_limit
        self.steps: list[str] = []
        self.notices: dict[str, Any] = {}
        self.offers: list[Offer] = []
        self.allocation = None

    # --- setting the scene ---------------------------------------------------------------------

    def run(self) -> dict:
        books = {rb.code for rb, _ in load_rulebooks()}
        if self.rulebook not in books:
            raise ScenarioError(f"unknown rulebook {self.rulebook!r}; loaded: {', '.join(sorted(books))}")
        j = self.scenario.jurisdiction
        self.city = make_jurisdiction(j.slug, j.name, j.prefix, self.rulebook)
        self.places = {slug: self._place(slug, place) for slug, place in self.scenario.places.items()}
        users = get_user_model().objects
        self.officer = None
        for username in self.scenario.officers:
            user = users.create_user(username, f"{username}@example.org", None)
            Officer.objects.create(user=user, jurisdiction=self.city)
            self.officer = self.officer or user
        self.people = {}
        for label, who in self.scenario.organizers.items():
            user = users.create_user(f"organizer-{label.lower()}", f"{label.lower()}@example.org", None)
            Organizer.objects.create(
                user=user, kind=who.kind, full_name=who.full_name, organization_name=who.organization_name
            )
            self.people[label] = user
        first = next(iter(self.places.values()))
        self.say(
            f"Rulebook {self.city.rulebook}; {first.name.get('en')} has zones "
            + ", ".join(f"{z.slug} ({z.capacity} persons)" for z in first.zones.all())
        )
        for number, step in enumerate(self.scenario.steps, 1):
            try:
                getattr(self, f"_{step.action}")(step, self.moment(step.at))
            except (DjangoValidationError, PermissionDenied) as error:
                said = "; ".join(getattr(error, "messages", None) or [str(error)])
                raise ScenarioError(f"step {number} ({step.action}) cannot be replayed: {said}") from None
        return self.result()

    def _place(self, slug: str, place: PlaceIn):
        if place.preset == "republic-square":
            return republic_square(self.city)
        zones = [(z.slug, z.name, None) for z in place.zones]
        return make_venue(
            self.city, slug, place.name, place.lat, place.lon, place.half_height_m, place.half_width_m, zones
        )

    def moment(self, value: Moment) -> dt.datetime:
        if isinstance(value, dict):
            if self.rulebook not in value:
                raise ScenarioError(f"a moment given per rulebook has none for {self.rulebook!r}: {value}")
            value = value[self.rulebook]
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                raise ScenarioError(f"expected a local time as YYYY-MM-DD HH:MM, got {value!r}") from None
        return value.replace(tzinfo=self.city.tz) if value.tzinfo is None else value

    def say(self, text: str, at: dt.datetime | None = None) -> None:
        self.steps.append(f"{self.day(at)}: {text}" if at else text)

    def day(self, at: dt.datetime) -> str:
        local = at.astimezone(self.city.tz)
        return f"{local.day} {local:%b}"

    def hhmm(self, at: dt.datetime | None) -> str | None:
        return at.astimezone(self.city.tz).strftime("%H:%M") if at else None

    # --- the steps ---------------------------------------------------------------------------

    def _file(self, step: Step, at: dt.datetime) -> None:
        starts, ends = self.moment(step.starts), self.moment(step.ends)
        notice = notices.file_notice(
            self.people[step.file],
            at=at,
            assembly_type=step.type,
            topic=step.topic,
            venue=self.places[step.place],
            purpose=step.purpose,
            starts_at=starts,
            ends_at=ends,
            expected_participants=step.participants,
        )
        self.notices[step.file] = notice
        checks = (
            f"; pre-check: {', '.join(v['code'] for v in notice.violations)}" if notice.violations else ""
        )
        self.say(
            f"{step.file} ({notice.reference}) notifies a {step.type} for {step.participants} people, "
            f"{self.day(starts)} {self.hhmm(starts)}-{self.hhmm(ends)}{checks}",
            at,
        )

    def _decide(self, step: Step, at: dt.datetime) -> None:
        notice = self.notices[step.decide]
        decision = notices.decide(
            notice,
            self.officer,
            step.outcome,
            grounds=step.grounds,
            reasoning=step.reasoning,
            conditions=step.conditions,
            at=at,
        )
        self._decided(step.decide, notice, decision, at)

    def _decided(self, label, notice, decision, at) -> None:
        if decision is None:
            self.say(f"{label} is left for the officer to decide", at)
            return
        grounds = f" on ground {', '.join(decision.grounds)}" if decision.grounds else ""
        booked = notice.bookings.order_by("starts_at").first()
        where = f", holds {self.hhmm(booked.starts_at)}-{self.hhmm(booked.ends_at)}" if booked else ""
        self.say(f"{label} is {decision.outcome}{grounds}{where}", at)

    def _resolve_day(self, step: Step, at: dt.datetime) -> None:
        proposal = propose_day(self.city, step.resolve_day, time_limit=self.time_limit)
        allocation = self.allocation = proposal["allocation"]
        if allocation.method == "fcfs":
            how = "by the status quo rule, first come first served"
        else:
            bound, fcfs = allocation.bound, allocation.fcfs
            how = f"with the optimiser (proven bound {bound}; first come first served {fcfs})"
        count = f"{proposal['accommodated']} of {len(proposal['items'])}"
        self.say(f"the officer resolves the day {how}: {count} accommodated", at)
        labels = {n.pk: label for label, n in self.notices.items()}
        for notice, decision in notices.apply_day_plan(proposal, self.officer, at=at):
            self._decided(labels.get(notice.pk, notice.reference), notice, decision, at)

    def _booked(self, label: str):
        notice = self.notices[label]
        notice.refresh_from_db()
        return notice if notice.bookings.exists() else None

    def _check_in(self, step: Step, at: dt.datetime) -> None:
        notice = self._booked(step.check_in)
        if notice is None:
            self.say(f"{step.check_in} holds no booking: nobody checks in at {self.hhmm(at)}", at)
            return
        notices.check_in(notice, self.officer, at=at)
        self.say(f"{step.check_in} checks in at {self.hhmm(at)}", at)

    def _check_out(self, step: Step, at: dt.datetime) -> None:
        notice = self._booked(step.check_out)
        if notice is None:
            status = self.notices[step.check_out].status
            self.say(f"{step.check_out} holds no booking: the place stands empty while it stays {status}", at)
            return
        offers = notices.check_out(notice, self.officer, at=at)
        self.offers += offers
        released = notice.bookings.filter(released_at__isnull=False).exists()
        text = f"{step.check_out} checks out at {self.hhmm(at)}; " + (
            "the rest of its booking is released" if released else "nothing is released (status quo)"
        )
        if released:
            text += (
                f"; offered to {len(offers)} waiting notice(s)" if offers else "; no notice is waiting for it"
            )
        self.say(text, at)

    def _held(self, step: Step, at: dt.datetime) -> None:
        recorded = []
        for label in step.held:
            notice = self._booked(label)
            if notice is not None:
                notices.record_held(notice, self.officer, held=True, at=at)
                recorded.append(label)
        if recorded:
            self.say(f"{' and '.join(recorded)} recorded as held", at)

    def _withdraw(self, step: Step, at: dt.datetime) -> None:
        notices.withdraw(self.notices[step.withdraw], self.people[step.withdraw], reason=step.reason, at=at)
        self.say(f"{step.withdraw} withdraws its notice", at)

    # --- what happened -------------------------------------------------------------------------

    def result(self) -> dict:
        labels = {n.pk: label for label, n in self.notices.items()}
        flags = []
        if self.scenario.flags is not None:
            day, at = self.scenario.flags.day, self.moment(self.scenario.flags.at)
            start = dt.datetime.combine(day, dt.time(), self.city.tz)
            flags = flags_for(bookings_on(self.city, start, start + dt.timedelta(days=1)), now=at)
            for flag in flags:
                self.say(
                    f"Flag on {labels[flag.notice.pk]}: {flag.kind} ({flag.detail}); displaced: "
                    + (", ".join(labels.get(d.pk, d.reference) for d in flag.displaced) or "none")
                )
            if not flags:
                self.say("No booking is flagged")
        return {
            "scenario": self.scenario.id,
            "rulebook": self.rulebook,
            "steps": self.steps,
            "notices": {label: self._summary(n) for label, n in self.notices.items()},
            "offers": [
                {
                    "notice": labels.get(o.notice_id, str(o.notice_id)),
                    "starts_at": self._local(o.starts_at),
                    "ends_at": self._local(o.ends_at),
                    "state": o.state,
                }
                for o in self.offers
            ],
            "flags": [
                {
                    "notice": labels[f.notice.pk],
                    "kind": f.kind,
                    "displaced": [labels.get(d.pk, d.reference) for d in f.displaced],
                }
                for f in flags
            ],
            "allocation": self.allocation.as_dict() if self.allocation is not None else None,
        }

    def _local(self, moment: dt.datetime | None) -> str | None:
        return moment.astimezone(self.city.tz).isoformat() if moment else None

    def _summary(self, notice) -> dict:
        notice.refresh_from_db()
        decision = notice.decisions.order_by("decided_at", "pk").first()
        bookings = list(notice.bookings.order_by("starts_at"))
        first = bookings[0] if bookings else None
        return {
            "reference": notice.reference,
            "status": notice.status,
            "decision": decision.outcome if decision else None,
            "grounds": decision.grounds if decision else [],
            "zones": sorted(b.zone.slug for b in bookings),
            "booking_start": self._local(first.starts_at) if first else None,
            "booking_end": self._local(first.ends_at) if first else None,
            "held_until": self._local(first.held_until) if first else None,
            "checked_in": self._local(first.checked_in_at) if first else None,
            "checked_out": self._local(first.checked_out_at) if first else None,
        }
