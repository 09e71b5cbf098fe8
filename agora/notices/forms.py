"""Forms of the organizer's and the officer's pages. They check the shape of the input and
say how to fix it; the rules of law are checked by the services (agora.rules.checks)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from agora.fields import DayField
from agora.i18n import pick
from agora.rules.models import CalendarDay, Rulebook
from agora.scheduling.place import Place
from agora.venues.geometry import validate_geometry
from agora.venues.models import Venue

from . import words
from .authority import VENUE_FIELDS
from .models import PURPOSE_MAX, TEXT_MAX

MAX_PARTICIPANTS = 1_000_000


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, venue):
        return f"{pick(venue.name)} ({pick(venue.jurisdiction.name)})"


class VenuesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, venue):
        return pick(venue.name)


def assembly_types() -> list[tuple[str, str]]:
    """The types of the rulebooks in force, by their names in the reader's language."""
    types = {}
    for rulebook in Rulebook.objects.filter(jurisdictions__isnull=False).distinct():
        for code in rulebook.rules.types:
            types.setdefault(code, words.assembly_type(code, rulebook))
    return sorted(types.items(), key=lambda kv: kv[1]) or [("rally", words.assembly_type("rally"))]


def topics() -> list[tuple[str, str]]:
    """The topics of the rulebooks in force, by their names in the reader's language."""
    found = {}
    for rulebook in Rulebook.objects.filter(jurisdictions__isnull=False).distinct():
        for code in rulebook.rules.topics:
            found.setdefault(code, words.topic(code, rulebook))
    return sorted(found.items(), key=lambda kv: (kv[0] == "other", kv[1]))


class NoticeForm(forms.Form):
    assembly_type = forms.ChoiceField(label=_("Type of assembly"))
    topic = forms.ChoiceField(
        label=_("Topic"),
        help_text=_(
            "What it is about (public; the statistics count notices by topic), where the city's rulebook "
            "lists topics."
        ),
    )
    venue = VenueChoiceField(label=_("Place"), queryset=Venue.objects.none())
    date = DayField(label=_("Date"))
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}))
    expected_participants = forms.IntegerField(
        label=_("Expected participants"), min_value=1, max_value=MAX_PARTICIPANTS
    )
    purpose = forms.CharField(
        label=_("Purpose (public)"), max_length=PURPOSE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    window_start = forms.TimeField(
        label=_("Could start as early as"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Optional: the time your assembly may shift within."),
    )
    window_end = forms.TimeField(
        label=_("Must end by"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    acceptable_venues = VenuesChoiceField(
        label=_("Other places you would accept"),
        required=False,
        queryset=Venue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    equipment = forms.CharField(
        label=_("Equipment (stage, sound, tents)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    stewards = forms.IntegerField(label=_("Stewards"), min_value=0, max_value=100_000, initial=0)
    urgent = forms.BooleanField(
        label=_("Urgent: notified as soon as practicable"),
        required=False,
        help_text=_(
            "Only where the law lets an assembly be notified at short notice (London, Berlin); "
            "the minimum notice then does not apply."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the decision letter"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        venues = Venue.objects.select_related("jurisdiction").order_by("jurisdiction__slug", "slug")
        self.fields["venue"].queryset = venues
        self.fields["acceptable_venues"].queryset = venues
        self.fields["assembly_type"].choices = assembly_types()
        self.fields["topic"].choices = [("", _("— choose —"))] + topics()
        # asked for where the place's rulebook lists topics (checked in clean)
        self.fields["topic"].required = False

    def clean(self):
        data = super().clean()
        venue, day = data.get("venue"), data.get("date")
        start, end = data.get("start"), data.get("end")
        if venue is not None:
            listed = venue.jurisdiction.rulebook.rules.topics
            if not listed and data.get("topic"):
                self.add_error(
                    "topic", _("This city's rulebook has no list of topics: leave the topic empty.")
                )
            elif listed and not data.get("topic") and "topic" not in self.errors:
                self.add_error("topic", _("Choose what the assembly is about."))
        if not (venue and day and start and end):
            return data
        at = venue.jurisdiction.at
        data["starts_at"], data["ends_at"] = at(day, start), at(day, end)
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("end", _("The end must be after the start (on the same day)."))
        elif data["starts_at"] <= timezone.now():
            self.add_error("date", _("The assembly must be in the future."))
        ws, we = data.get("window_start"), data.get("window_end")
        if bool(ws) != bool(we):
            self.add_error("window_end", _("Give both ends of the window, or neither."))
        elif ws and we:
            if ws > start or we < end:
                self.add_error("window_start", _("The window must contain the requested time."))
            data["window_start"], data["window_end"] = at(day, ws), at(day, we)
        others = data.get("acceptable_venues") or []
        if any(v.jurisdiction_id != venue.jurisdiction_id for v in others):
            self.add_error("acceptable_venues", _("Other places must be in the same city as the place."))
        return data

    def notice_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "assembly_type": d["assembly_type"],
            "topic": d.get("topic") or "",
            "purpose": d["purpose"].strip(),
            "venue": d["venue"],
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "expected_participants": d["expected_participants"],
            "window_start": d.get("window_start") or None,
            "window_end": d.get("window_end") or None,
            "equipment": d.get("equipment", "").strip(),
            "stewards": d.get("stewards") or 0,
            "urgent": bool(d.get("urgent")),
            "language": d["language"],
            "acceptable_venues": list(d.get("acceptable_venues") or []),
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=TEXT_MAX, required=False)


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why the decision is wrong"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


OUTCOMES = [
    ("accepted", _("Accept")),
    ("accepted_with_conditions", _("Accept with conditions")),
    ("alternative_offered", _("Offer an alternative")),
    ("refused", _("Refuse")),
]


class ConsultationAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            ("consent", _("Consent")),
            ("consent_with_conditions", _("Consent with conditions")),
            ("objection", pgettext_lazy("consultation answer", "Object")),
        ],
        widget=forms.RadioSelect,
    )
    conditions = forms.MultipleChoiceField(
        label=_("Conditions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    conditions_text = forms.CharField(
        label=_("Other conditions (public once decided)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reasons = forms.CharField(
        label=_("Reasons (public once decided)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, rulebook, **kwargs):
        super().__init__(*args, **kwargs)
        lang = (get_language() or "en")[:2]
        self.fields["conditions"].choices = [
            (code, rulebook.rules.condition_text(code, lang))
            for code in rulebook.rules.consultation.conditions
        ]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=OUTCOMES, widget=forms.RadioSelect)
    grounds = forms.MultipleChoiceField(
        label=_("Legal grounds"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reasoning = forms.CharField(
        label=_("Reasoning (public)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    conditions = forms.CharField(
        label=_("Conditions"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    consultation_note = forms.CharField(
        label=_("Why the decision cannot wait for the agencies' answers (public)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    alternative = forms.ChoiceField(label=_("Alternative"), required=False, widget=forms.RadioSelect)
    alt_venue = VenueChoiceField(label=_("or another place"), required=False, queryset=Venue.objects.none())
    alt_date = DayField(label=_("date"), required=False)
    alt_start = forms.TimeField(
        label=_("from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    alt_end = forms.TimeField(label=_("to"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, notice, computed, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice, self.computed = notice, computed
        rules = notice.rulebook.rules
        self.fields["grounds"].choices = [
            (code, words.ground(code, notice.rulebook)) for code in rules.refusal_grounds
        ]
        self.fields["alternative"].choices = (
            [("", _("none"))]
            + [(str(i), item["label"]) for i, item in enumerate(computed)]
            + [("manual", _("the place and time below"))]
        )
        self.fields["alt_venue"].queryset = Venue.objects.filter(jurisdiction=notice.jurisdiction)
        if not notice.consultations.outstanding().exists():  # nothing to wait for: no such field
            del self.fields["consultation_note"]

    def clean(self):
        data = super().clean()
        choice = data.get("alternative")
        data["alternative_place"] = None
        if choice == "manual":
            venue, day, start, end = (data.get(k) for k in ("alt_venue", "alt_date", "alt_start", "alt_end"))
            if not (venue and day and start and end):
                self.add_error("alt_venue", _("Give the place, date and times of the alternative."))
                return data
            at = self.notice.jurisdiction.at
            starts, ends = at(day, start), at(day, end)
            if ends <= starts:
                self.add_error("alt_end", _("The alternative must end after it starts."))
                return data
            data["alternative_place"] = Place(venue.pk, (), starts, ends)
        elif not choice and any(data.get(k) for k in ("alt_venue", "alt_date", "alt_start", "alt_end")):
            self.add_error(
                "alternative",
                _("You filled in a place and time below: choose “the place and time below” to offer them."),
            )
        elif choice:
            data["alternative_place"] = self.computed[int(choice)]["option"].place
        return data


class AppealDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Appeal"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[
            ("yes", _("Grant: the notice goes ahead as filed")),
            ("no", _("Reject: the decision stands")),
        ],
    )
    reasoning = forms.CharField(
        label=_("Reasoning (public)"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class DaySheetForm(forms.Form):
    venue = VenueChoiceField(label=_("Place"), queryset=Venue.objects.none())
    date = DayField(label=_("Date"))

    def __init__(self, *args, jurisdiction, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.filter(jurisdiction=jurisdiction)


class ClosureForm(forms.Form):
    """A closure the authority declares: where, when, on which ground of the rulebook, why."""

    venue = VenueChoiceField(label=_("Place"), queryset=Venue.objects.none())
    zone = forms.ModelChoiceField(
        label=_("Zone (empty: the whole place)"), queryset=Venue.objects.none(), required=False
    )
    ground = forms.ChoiceField(label=_("Legal ground"))
    reason = forms.CharField(
        label=_("Reasons (public)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    start_date = DayField(label=_("From (date)"))
    start_time = forms.TimeField(label=_("From (time)"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_date = DayField(label=_("Until (date)"))
    end_time = forms.TimeField(label=_("Until (time)"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, jurisdiction, **kwargs):
        super().__init__(*args, **kwargs)
        from agora.venues.models import Zone

        self.jurisdiction = jurisdiction
        self.fields["venue"].queryset = Venue.objects.filter(jurisdiction=jurisdiction)
        self.fields["zone"].queryset = Zone.objects.filter(venue__jurisdiction=jurisdiction).select_related(
            "venue"
        )
        self.fields["zone"].label_from_instance = lambda z: f"{pick(z.venue.name)}: {pick(z.name)}"
        lang = get_language() or "en"
        grounds = jurisdiction.rulebook.rules.closures.grounds
        self.fields["ground"].choices = [
            (code, g.cited(lang) + (f" ({_('emergency')})" if g.emergency else ""))
            for code, g in grounds.items()
        ]

    def clean(self):
        data = super().clean()
        at = self.jurisdiction.at
        if all(data.get(k) for k in ("start_date", "start_time", "end_date", "end_time")):
            data["starts_at"] = at(data["start_date"], data["start_time"])
            data["ends_at"] = at(data["end_date"], data["end_time"])
        zone, venue = data.get("zone"), data.get("venue")
        if zone and venue and zone.venue_id != venue.pk:
            self.add_error("zone", _("The zone must belong to the closed place."))
        return data


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Why it is lifted (public)"), max_length=500)


class CalendarDayForm(forms.Form):
    """A day the authority declares a holiday or a working day."""

    day = DayField(label=_("Date"))
    kind = forms.ChoiceField(label=_("The day becomes"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name (public)"), max_length=200)


class RulebookForm(forms.Form):
    rulebook = forms.ModelChoiceField(label=_("Rulebook version"), queryset=Rulebook.objects.none())

    def __init__(self, *args, jurisdiction, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["rulebook"]
        field.queryset = Rulebook.objects.exclude(pk=jurisdiction.rulebook_id).order_by("code", "-version")
        field.label_from_instance = lambda r: (
            _("%(title)s, version %(version)s (%(code)s)")
            % {
                "title": pick(r.title) or r.code,
                "version": r.version,
                "code": r.code,
            }
        )


class GeometryField(forms.JSONField):
    """A GeoJSON outline drawn on the map (kept as GeoJSON); checked like the model's."""

    widget = forms.HiddenInput

    def validate(self, value):
        super().validate(value)
        if value not in (None, ""):
            validate_geometry(value)


class VenueChangeForm(forms.Form):
    """What the authority may change about a place, with the reasons (public)."""

    designated = forms.BooleanField(label=_("Designated for assemblies"), required=False)
    capacity_override = forms.IntegerField(
        label=_("Capacity (people; empty: from the area)"),
        min_value=1,
        max_value=MAX_PARTICIPANTS,
        required=False,
    )
    crowd_density = forms.FloatField(label=_("Safe persons per square metre"), min_value=0.1, max_value=6)
    opens_at = forms.TimeField(
        label=_("Opens (empty: the rulebook's hours)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    closes_at = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    geometry = GeometryField(label=_("Outline"))
    zones = forms.JSONField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reasons (public)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, venue, **kwargs):
        self.venue = venue
        initial = {
            f: getattr(venue, f)
            for f in ("designated", "capacity_override", "crowd_density", "opens_at", "closes_at")
        }
        initial["geometry"] = venue.geometry
        initial["zones"] = {z.slug: z.geometry for z in venue.zones.all()}
        super().__init__(*args, initial=initial, **kwargs)

    def clean_zones(self):
        zones = self.cleaned_data.get("zones") or {}
        known = set(self.venue.zones.values_list("slug", flat=True))
        if not isinstance(zones, dict) or set(zones) - known:
            raise forms.ValidationError(_("Draw only the zones this place has."))
        for slug, geometry in zones.items():
            if geometry is not None:
                try:
                    validate_geometry(geometry)
                except forms.ValidationError as error:
                    raise forms.ValidationError(
                        _("Zone %(slug)s: %(error)s") % {"slug": slug, "error": error.messages[0]}
                    ) from None
        return zones

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if bool(opens) != bool(closes):
            self.add_error("closes_at", _("Give both the opening and the closing time, or neither."))
        elif opens and closes and opens >= closes:
            self.add_error("closes_at", _("The place must close after it opens (the same day)."))
        return data

    def changes(self) -> tuple[dict, dict]:
        """(venue fields, {zone slug: {field: value}}) as the service takes them."""
        d = self.cleaned_data
        venue = {f: d[f] for f in VENUE_FIELDS}
        zones = {slug: {"geometry": g} for slug, g in (d.get("zones") or {}).items()}
        return venue, zones
