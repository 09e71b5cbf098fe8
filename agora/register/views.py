"""Public pages and open data (no sign-in). Never personal data: organizers appear only by
`public_name`, and nothing from the accounts app but that is read here."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

from django import forms
from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.audit import checkpoints, offline
from agora.audit.events import MEANING, Event
from agora.audit.models import Checkpoint
from agora.audit.services import digest
from agora.fields import FIRST_YEAR, LAST_YEAR, DayField
from agora.notices import consultations, receipts, review, services, words
from agora.notices.letters import is_certificate, letter_proof
from agora.notices.models import Decision, Letter, Notice
from agora.venues.geometry import centroid
from agora.venues.models import Closure, Venue

from . import calendar as venue_calendar
from . import dump, pgcopy, summary
from .grid import week_grid
from .queries import (
    CSV_FIELDS,
    PUBLIC_STATES,
    Cursor,
    RegisterFilter,
    closures_shown,
    export_rows,
    filtered,
    page,
    shown_row,
    venue_changes_shown,
    with_details,
)
from .summary import sections as summary_sections


def decision_public(request, reference):
    """The verification target of a letter's QR code: the decision's facts and the letter's hash."""
    decision = get_object_or_404(
        Decision.objects.select_related(
            "notice__venue", "notice__organizer", "rulebook", "notice__jurisdiction"
        ),
        reference=reference,
    )
    alternative = review.place_label(decision.alternative, decision.notice.jurisdiction)
    context = {
        "decision": decision,
        # issued by the job queue when the decision was made; a visit issues nothing
        "letter": Letter.objects.filter(decision=decision).only("sha256").first(),
        "certificate": is_certificate(decision),
        "alternative": alternative,
        "rivals": review.rivals(decision),
        "consultations": consultations.public(decision.notice),
    }
    return render(request, "register/decision.html", context)


def notice_public(request, reference):
    """Every notice past draft has a public page, decided or not: what was asked, where it
    holds the place now, its decisions and its bookings; never the organizer's private data."""
    notice = get_object_or_404(
        with_details(Notice.objects.filter(status__in=PUBLIC_STATES)), reference=reference
    )
    context = {
        "row": shown_row(notice),
        "notice": notice,
        "where": review.where(notice),
        "decisions": list(notice.decisions.all()),
        "consultations": consultations.public(notice),
        "day": notice.jurisdiction.local_day(notice.starts_at),
        "deadlines": [
            words.trace(counted, notice.rulebook, notice.jurisdiction.tz, notice.jurisdiction.calendar())
            for counted in services.deadline_traces(notice)
        ],
        "deadline_notes": [
            words.deadline_note(code, params, notice.jurisdiction.tz)
            for code, params in services.deadline_notes(notice)
        ],
    }
    return render(request, "register/notice.html", context)


def register(request):
    form = RegisterFilter(request.GET or None)
    rows, next_cursor = [], None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        rows, next_cursor = page(filtered(data), Cursor.decode(request.GET.get("after")))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "rows": [shown_row(n) for n in rows],
        "next": next_cursor.encode() if next_cursor else None,
        # the authority's own acts beside the organizers': the closures still to come or just past
        "closures": closures_shown(
            Closure.objects.filter(ends_at__gte=timezone.now() - dt.timedelta(days=30)).order_by("starts_at")[
                :50
            ]
        ),
        "query": query.urlencode(),
        "dump": dump.latest(),
    }
    return render(request, "register/register.html", context)


def register_dump(request):
    """The nightly file of the whole register (agora/register/dump.py)."""
    if dump.latest() is None:
        message = _(
            "The whole register is written as one file every night, and the first has not been "
            "written yet. Meanwhile the CSV, JSON and JSONL exports give every notice."
        )
        return JsonResponse(
            {"error": {"code": "not_yet", "message": message}},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return FileResponse(
        open(dump.folder() / dump.NAME, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=dump.NAME,
        content_type="application/gzip",
    )


def _export_rows(request):
    """The notices the export's filters select, or the filters' errors."""
    form = RegisterFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        return None, form.errors
    return filtered(form.cleaned_data if form.is_bound else {}), None


def _filter_error(errors):
    """The same answer from every export: what is wrong with each filter, in the reader's words."""
    return JsonResponse(
        {"error": {"code": "invalid_filter", "message": _("Fix the filters."), "fields": errors}},
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )


def register_json(request):
    """Every notice the filters select, as one JSON object streamed as it is read."""
    rows, errors = _export_rows(request)
    if errors:
        return _filter_error(errors)

    def chunks():
        yield '{"generated_at": ' + json.dumps(timezone.now().isoformat()) + ', "notices": ['
        for i, row in enumerate(export_rows(rows)):
            yield ("," if i else "") + json.dumps(row, ensure_ascii=False)
        yield "]}"

    return StreamingHttpResponse(chunked(chunks()), content_type="application/json; charset=utf-8")


def register_jsonl(request):
    """Every notice the filters select, one JSON object a line."""
    rows, errors = _export_rows(request)
    if errors:
        return _filter_error(errors)
    lines = (json.dumps(row, ensure_ascii=False) + "\n" for row in export_rows(rows))
    response = StreamingHttpResponse(chunked(lines), content_type="application/x-ndjson; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="agora-register.jsonl"'
    return response


class _Echo:
    def write(self, value):
        return value


# A formula starts with one of these; Russian and Kazakh spreadsheets split a line on ";"
# (others on "," or a tab) when the file is opened, so each piece is a cell of its own.
FORMULA_PIECE = re.compile(r"(^|[;,\t])(\s*)(?=[=+\-@\t\r])")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula (`=HYPERLINK(…)`), at its start or at the start
    of any piece a `;`, `,` or tab split would make of it, gets a leading apostrophe there, which
    spreadsheets show as text (OWASP's advice on CSV injection); numbers are left alone."""
    if isinstance(value, str):
        return FORMULA_PIECE.sub(lambda m: f"{m.group(1)}{m.group(2)}'", value)
    return value


# The fields people or authorities write (the others are codes, numbers and times the
# application makes): only these can carry a formula into a spreadsheet.
FREE_TEXT = {"topic", "purpose", "organizer", "venue", "grounds", "reasoning"}
# A streamed export leaves in chunks of about this many characters: one write to the
# client per chunk, not per row, and memory that holds one chunk whatever the rows.
EXPORT_CHUNK = 32 * 1024


def chunked(pieces, size: int = EXPORT_CHUNK):
    """Pieces of text (or bytes) joined into chunks of about `size` characters (the first piece
    alone, so that the answer starts at once)."""
    pending, length, joiner = [], 0, None
    for index, piece in enumerate(pieces):
        joiner = joiner if joiner is not None else piece[:0]  # "" or b"", as the pieces are
        pending.append(piece)
        length += len(piece)
        if index == 0 or length >= size:
            yield joiner.join(pending)
            pending, length = [], 0
    if pending:
        yield joiner.join(pending)


def register_csv(request):
    rows, errors = _export_rows(request)
    if errors:
        return _filter_error(errors)
    # PostgreSQL writes the rows itself (pgcopy); elsewhere Python does, the same rows
    lines = pgcopy.csv_lines(rows) if connection.vendor == "postgresql" else csv_lines(rows)
    chunks = chunked(lines)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="agora-register.csv"'
    return response


def csv_lines(rows):
    """The CSV export of the notices `rows` selects, a line at a time, in Python."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    safe = [name in FREE_TEXT for name in CSV_FIELDS]
    yield writer.writerow(CSV_FIELDS)
    for row in export_rows(rows):
        row["grounds"] = " ".join(row["grounds"])
        values = [row[name] for name in CSV_FIELDS]
        yield writer.writerow([spreadsheet_safe(v) if t else v for v, t in zip(values, safe, strict=True)])


def venue_page(request, pk):
    # its zones read once: the grid, the map and the outline all ask for them
    venue = get_object_or_404(Venue.objects.select_related("jurisdiction").prefetch_related("zones"), pk=pk)
    asked = DayField(required=False)
    try:
        day = asked.clean(request.GET.get("date", "")) or venue.jurisdiction.local_day(timezone.now())
    except forms.ValidationError as error:
        return render(
            request,
            "register/bad_date.html",
            {"venue": venue, "problems": error.messages, "first": FIRST_YEAR, "last": LAST_YEAR},
            status=400,
        )
    view = "day" if request.GET.get("view") == "day" else "week"
    chosen = day  # the day asked for, kept in the form when the view changes
    if view == "week":  # the calendar week the day falls in, Monday first
        day -= dt.timedelta(days=day.weekday())
    days = [day + dt.timedelta(days=n) for n in range(7 if view == "week" else 1)]
    calendar = venue_calendar.days_rows(venue, days)
    displaced = {r["notice"].pk: r["displaced"] for d in calendar for r in d["rows"]}
    lat, lon = centroid(venue.geometry)
    context = {
        "venue": venue,
        "day": day,
        "chosen": chosen,
        "view": view,
        "previous": day - dt.timedelta(days=len(days)),
        "next": day + dt.timedelta(days=len(days)),
        "today": venue.jurisdiction.local_day(timezone.now()),
        "calendar": calendar,
        "grid": week_grid(venue, days, displaced),
        "zones_geojson": venue_calendar.zone_features(venue),
        "closures": closures_shown(
            venue.closures.filter(ends_at__gte=timezone.now()).order_by("starts_at")[:20]
        ),
        "changes": venue_changes_shown(venue.changes.all()[:20]),
        "place_rules": words.place_rules(venue, venue.jurisdiction.local_day(timezone.now())),
        "capacity": venue.capacity_today,
        "geometry_json": json.dumps(venue.geometry),
        "center": (lat, lon),
        "tile_url": settings.AGORA_TILE_URL,
        "outline_svg": venue_calendar.outline_svg(venue.geometry),
        "zone_outlines": venue_calendar.zone_outlines_svg(venue),
    }
    return render(request, "register/venue.html", context)


def statistics(request):
    found = summary.statistics()
    return render(
        request,
        "register/statistics.html",
        {"sections": summary_sections(found), "summary": found},
    )


def audit_digest(request):
    return JsonResponse(digest())


def filing_proof(request, reference):
    """When a notice was filed, provably: its filing event, the inclusion proof and the signed
    checkpoint, as in its organizer's receipt (all of it public, as the log is), so anyone
    can settle who filed first with `agora_verify.py receipt`."""
    notice = get_object_or_404(Notice.objects.filter(status__in=PUBLIC_STATES), reference=reference)
    try:
        bundle = receipts.make_bundle(notice)
    except receipts.NotFiled:
        raise Http404(_("This notice's filing is not in the audit log.")) from None
    return HttpResponse(
        receipts.receipt_json(bundle),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{notice.reference}-filing.json"'},
    )


def letter_proof_json(request, reference):
    """A letter's (or certificate's) proof: its issuing event, the inclusion proof and the
    signed checkpoint, for the offline verifier. Public: the log holds no personal data."""
    decision = get_object_or_404(Decision, reference=reference)
    proof = letter_proof(decision)
    if proof is None:
        raise Http404(_("The letter of this decision is not issued yet: try again in a minute."))
    body = json.dumps(proof, ensure_ascii=False, indent=2) + "\n"
    name = f"{decision.reference}-proof.json"
    return HttpResponse(
        body,
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def audit_checkpoint(request):
    """The log's latest signed checkpoint, a C2SP signed note; `?size=N`: the one signed of N events."""
    size = request.GET.get("size")
    if size is None:
        found = checkpoints.latest()
    elif size.isdigit():
        found = Checkpoint.objects.filter(size=int(size)).first()
        if found is None:
            message = _(
                "No checkpoint was signed at %(size)s events: checkpoints.atom lists the ones that were."
            )
            return HttpResponse(
                message % {"size": size}, status=404, content_type="text/plain; charset=utf-8"
            )
    else:
        return HttpResponse(_("size must be a whole number of events"), status=400, content_type="text/plain")
    return HttpResponse(found.note, content_type="text/plain; charset=utf-8")


def audit_key(request):
    """The key that verifies the checkpoints (a signed-note verifier key)."""
    return HttpResponse(checkpoints.verifier() + "\n", content_type="text/plain; charset=utf-8")


def audit_verifier(request):
    """The offline verifier, one Python file (the standard library and `cryptography`)."""
    return HttpResponse(
        open(offline.__file__, encoding="utf-8").read(),  # noqa: SIM115 (a small file, read whole)
        content_type="text/x-python; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="agora_verify.py"'},
    )


def audit_page(request):
    from agora.audit.models import AuditEvent

    events = list(AuditEvent.objects.order_by("-seq")[:100])
    kinds = [(event.value, MEANING[event]) for event in Event]
    # a notice is named by its reference, as everywhere else
    named = {"notice": Notice, "decision": Decision}
    references = {}
    for kind, model in named.items():
        ids = [int(e.object_id) for e in events if e.object_type == kind and e.object_id.isdigit()]
        for pk, reference in model.objects.filter(pk__in=ids).values_list("pk", "reference"):
            references[kind, pk] = reference
    for e in events:
        e.name = references.get((e.object_type, int(e.object_id))) if e.object_id.isdigit() else None
    last = events[0].at if events else None
    context = {
        "digest": digest(),
        "events": events,
        "kinds": kinds,
        "last_event_at": last,
        "checkpoint": checkpoints.latest(),
        "key": checkpoints.verifier(),
        "public_url": settings.AGORA_PUBLIC_URL,
    }
    return render(request, "register/audit.html", context)


def audit_export(request):
    """Every audit event, as JSON lines, so anyone can recompute the chain."""
    from agora.audit.services import public_rows

    def lines():
        for row in public_rows():
            yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"

    return StreamingHttpResponse(lines(), content_type="application/x-ndjson; charset=utf-8")
