"""The day plan in the officer's pages (issue 21): the seed case of PRODUCT.md §6 under
`fair`, planned beside the paper process, pinned, applied after a confirmation that lists
every decision, each reasoning editable and recorded as the officer's own decision."""

from __future__ import annotations

import re

from agora.audit.models import AuditEvent
from agora.notices.models import Notice
from tests.conftest import file, future, sign_in_with_totp

BIG = 50_000  # more than one zone holds: each notice needs the whole square


def seed(square, aigerim, bolat):
    """A files first for the whole day; B later for the afternoon."""
    a = file(bolat, square, future(days=14, hour=9), future(days=14, hour=20), people=BIG, purpose="Support")
    b = file(aigerim, square, future(days=14, hour=14), future(days=14, hour=18), people=BIG)
    return a, b


def plan_url(notice) -> str:
    return f"/office/plan/{notice.jurisdiction.local_day(notice.starts_at).isoformat()}/"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_officer_plans_the_seed_day_beside_the_paper_process_and_applies_it(
    client, square, aigerim, bolat, dana
):
    a, b = seed(square, aigerim, bolat)
    sign_in_with_totp(client, dana)
    page = client.get(plan_url(a))
    assert page.status_code == 200
    shown = text(page)
    assert "The plan accommodates 2 (proven the most possible without moving accepted assemblies)" in shown
    assert "Today's paper process 1" in shown  # A holds the square all day, B is refused
    row_b = shown[shown.index(b.reference + " ") :]
    planned, paper = row_b.split(" Accepted ", 1)[1], row_b.split("Granted as filed.", 1)[1]
    assert "14:00–18:00" in planned and paper.strip().startswith("Refused")
    assert "one organizer may hold a venue at most 4 hours a day" in shown  # A capped

    plan = re.search(r'name="plan" value="([^"]+)"', page.content.decode()).group(1)
    review = client.post(plan_url(a), {"plan": plan})
    listed = text(review)
    assert review.status_code == 200 and "This records 2 decisions" in listed
    assert f"{a.reference}: Accepted with conditions" in listed and f"{b.reference}: Accepted" in listed
    assert Notice.objects.filter(decisions__isnull=False).count() == 0  # nothing saved yet

    done = client.post(
        plan_url(a),
        {
            "plan": plan,
            "confirm": "1",
            f"reason-{a.pk}": "Held 09:00–13:00 under the daily cap; the afternoon is another group's.",
            f"conditions-{a.pk}": "Leave the square by 13:00.",
            f"reason-{b.pk}": "Granted as filed.",
        },
        follow=True,
    )
    assert "2 decisions recorded." in text(done)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == ("accepted_with_conditions", "accepted")
    decision = a.decisions.get()
    assert decision.officer == dana and decision.conditions == "Leave the square by 13:00."
    assert decision.reasoning.startswith("Held 09:00–13:00")
    assert {bk.ends_at for bk in a.bookings.all()} == {future(days=14, hour=13)}  # both zones
    assert {bk.starts_at for bk in b.bookings.all()} == {future(days=14, hour=14)}
    # each audited as its own decision by that officer
    made = AuditEvent.objects.filter(event="decision.made")
    assert made.count() == 2 and {e.actor for e in made} == {f"officer:{dana.officer.pk}"}
    # applying the same plan twice decides nothing more
    again = client.post(
        plan_url(a), {"plan": plan, "confirm": "1", f"reason-{a.pk}": "x", f"reason-{b.pk}": "x"}
    )
    assert again.status_code == 302
    assert "The day changed since the plan was made" in text(client.get(again["Location"]))
    assert a.decisions.count() == 1


def test_a_pinned_notice_is_decided_as_filed_and_the_rest_planned_around_it(
    client, square, aigerim, bolat, dana
):
    noon = (future(days=14, hour=12), future(days=14, hour=14))
    early = file(
        bolat,
        square,
        *noon,
        people=BIG,
        window_start=future(days=14, hour=9),
        window_end=future(days=14, hour=20),
    )
    late = file(aigerim, square, *noon, people=BIG)  # only at noon
    sign_in_with_totp(client, dana)
    plain = text(client.get(plan_url(early)))
    assert "The plan accommodates 2" in plain and "(held as filed)" not in plain  # the early one moves
    # the officer keeps the early notice at noon, as filed: the later one has nowhere to go
    pinned = text(client.get(plan_url(early) + f"?pin={early.pk}"))
    assert "The plan accommodates 1" in pinned
    row = pinned[pinned.index(f"{early.reference} ") : pinned.index(f"{late.reference} ")]
    assert "(held as filed)" in row and "12:00–14:00" in row
    # not left without an answer: fair wants an alternative with every refusal
    assert "Alternative offered" in pinned[pinned.index(f"{late.reference} ") :]


def test_a_tampered_or_foreign_plan_is_refused_and_nothing_is_decided(client, square, aigerim, bolat, dana):
    a, _b = seed(square, aigerim, bolat)
    sign_in_with_totp(client, dana)
    refused = client.post(plan_url(a), {"plan": "forged", "confirm": "1"}, follow=True)
    assert "make the plan again" in text(refused)
    assert not Notice.objects.filter(decisions__isnull=False).exists()


def test_the_day_plan_is_for_officers(client, square, aigerim, bolat):
    a, _b = seed(square, aigerim, bolat)
    client.force_login(aigerim)
    assert client.get(plan_url(a)).status_code == 403
    client.logout()
    assert client.get(plan_url(a))["Location"].startswith("/accounts/login/")


def test_the_decision_page_recommends_the_plans_placement_when_as_filed_would_leave_two_without(
    client, square, aigerim, bolat, dana
):
    day = lambda hour, minute=0: future(days=14, hour=hour).replace(minute=minute)  # noqa: E731
    first = file(bolat, square, day(11), day(13), people=BIG, window_start=day(9), window_end=day(20))
    second = file(aigerim, square, day(10), day(12), people=BIG)
    third = file(aigerim, square, day(12, 30), day(13, 30), people=BIG, purpose="Second rally")
    sign_in_with_totp(client, dana)
    page = client.get(f"/office/notices/{first.pk}/")
    shown = text(page)
    assert "places 3 of 3 notices" in shown
    assert (
        f"Accepted as filed, this notice leaves {second.reference}, {third.reference} without a place."
        in shown
    )
    assert "For this notice it proposes: Alternative offered" in shown and "14:00–16:00" in shown
    # the plan's placement is the first alternative offered, one click from the decision form
    alternatives = shown[shown.index("Free alternatives") :]
    assert alternatives.index("14:00–16:00") < alternatives.index("Offer this")
    # the later notices, as filed, cost nobody a place
    assert "Accepting it as filed leaves no other notice without a place." in text(
        client.get(f"/office/notices/{second.pk}/")
    )
    # and the queue links each notice to its day's plan
    assert f'href="/office/plan/{first.local_day.isoformat()}/"' in client.get("/office/").content.decode()


def test_offering_the_plans_placement_fills_in_the_plans_ground_and_reasons(
    client, square, aigerim, bolat, dana
):
    day = lambda hour, minute=0: future(days=14, hour=hour).replace(minute=minute)  # noqa: E731
    first = file(bolat, square, day(11), day(13), people=BIG, window_start=day(9), window_end=day(20))
    file(aigerim, square, day(10), day(12), people=BIG)
    file(aigerim, square, day(12, 30), day(13, 30), people=BIG, purpose="Second rally")
    sign_in_with_totp(client, dana)
    form = client.get(f"/office/notices/{first.pk}/?offer=0").content.decode()
    # not "another assembly notified earlier": the others were notified later, and all fit
    assert re.search(r'value="shared_day"[^>]*checked', form)
    assert "lets all of them be held" in form
    client.post(
        f"/office/notices/{first.pk}/",
        {
            "outcome": "alternative_offered",
            "alternative": "0",
            "grounds": ["shared_day"],
            "reasoning": "All three fit.",
        },
    )
    done = client.post(
        f"/office/notices/{first.pk}/",
        {
            "outcome": "alternative_offered",
            "alternative": "0",
            "grounds": ["shared_day"],
            "reasoning": "All three fit.",
            "confirm": "1",
        },
    )
    assert done.status_code == 302
    decision = first.decisions.get()
    assert decision.grounds == ["shared_day"] and decision.alternative["starts_at"].startswith(
        day(14).isoformat()[:16]
    )


def test_what_the_confirmation_lists_is_what_recording_does_even_for_the_notice_left_out(
    client, square, gandhi, aigerim, bolat, dana
):
    # both want the whole square at noon and accept nothing else: the plan keeps the first,
    # and (the rulebook wants an alternative with a refusal) offers the second the nearest
    # free place and time, shown before it is recorded
    noon = (future(days=14, hour=12), future(days=14, hour=14))
    first = file(bolat, square, *noon, people=BIG)
    second = file(aigerim, square, *noon, people=BIG)
    sign_in_with_totp(client, dana)
    page = client.get(plan_url(first))
    plan = re.search(r'name="plan" value="([^"]+)"', page.content.decode()).group(1)
    listed = text(client.post(plan_url(first), {"plan": plan}))
    shown = listed[listed.index(f"{second.reference}: Alternative offered") :]
    offered = re.search(r"Alternative offered: ([^:]+?\d\d:\d\d–\d\d:\d\d)", shown).group(1)
    # an empty reasoning: the confirmation comes back with the officer's other edits kept
    kept = client.post(
        plan_url(first),
        {"plan": plan, "confirm": "1", f"reason-{first.pk}": "Filed first.", f"reason-{second.pk}": "  "},
    )
    assert kept.status_code == 200 and "Each decision needs its reasoning" in text(kept)
    assert ">Filed first.</textarea>" in kept.content.decode()
    assert not second.decisions.exists()
    client.post(
        plan_url(first),
        {"plan": plan, "confirm": "1", f"reason-{first.pk}": "Filed first.", f"reason-{second.pk}": "Taken."},
    )
    second.refresh_from_db()
    assert second.status == "alternative_offered"
    from agora.notices.places import place_label
    from agora.scheduling.place import Place

    assert place_label(Place.of(second.decisions.get().alternative), square.jurisdiction) == offered.strip()
    # and the day plan lists the offer among what is decided already
    decided = text(client.get(plan_url(first)))
    assert f"{second.reference} (Alternative offered): {offered.strip()}" in decided


def test_notices_that_cannot_all_be_held_as_filed_stay_ticked_and_the_message_says_so(
    client, square, aigerim, bolat, dana
):
    noon = (future(days=14, hour=12), future(days=14, hour=14))
    first = file(bolat, square, *noon, people=BIG)
    second = file(aigerim, square, *noon, people=BIG)
    sign_in_with_totp(client, dana)
    response = client.get(plan_url(first) + f"?pin={first.pk}&pin={second.pk}")
    page = response.content.decode()
    assert "cannot be held as filed beside the other notices held as filed" in text(response)
    assert len(re.findall(r'name="pin" value="\d+" id="pin-\d+" checked', page)) == 2
    assert "without holding any as filed" not in page


def test_a_day_out_of_any_calendar_is_not_found(client, square, dana):
    sign_in_with_totp(client, dana)
    for day in ("0001-01-01", "9999-12-31", "2026-13-45", "abc"):
        assert client.get(f"/office/plan/{day}/").status_code == 404
    assert client.get("/office/plan/")["Location"].startswith("/office/plan/2026-12-01/")


def test_two_notices_closer_than_the_changeover_are_listed_as_conflicting(
    client, square, aigerim, bolat, dana
):
    # 10:00–12:00 and 12:00–14:00 at the whole square: no overlap, but fair keeps 30 minutes
    # between two assemblies, so the plan cannot hold both as filed; the pages say so too
    morning = file(bolat, square, future(days=14, hour=10), future(days=14, hour=12), people=BIG)
    noon = file(aigerim, square, future(days=14, hour=12), future(days=14, hour=14), people=BIG)
    later = file(aigerim, square, future(days=14, hour=15), future(days=14, hour=17), people=BIG)
    sign_in_with_totp(client, dana)
    page = text(client.get(f"/office/notices/{morning.pk}/"))
    listed = page[page.index("Conflicting notices") : page.index("The day plan")]
    assert noon.reference in listed and later.reference not in listed
    queue = client.get("/office/").content.decode()
    assert re.search(rf"{morning.reference}</a></th>(?:.|\n)*?<td[^>]*>1</td>\s*</tr>", queue)


def test_a_place_or_a_pin_that_does_not_fit_the_day_is_named_not_silently_dropped(
    client, square, aigerim, bolat, dana
):
    a, b = seed(square, aigerim, bolat)
    other_day = file(aigerim, square, future(days=15, hour=11), future(days=15, hour=13))
    sign_in_with_totp(client, dana)
    for query in ("venue=garbage", "venue=999999", "venue=99999999999999999999"):
        shown = text(client.get(plan_url(a) + "?" + query))
        assert "No such place of yours: showing every place." in shown and a.reference in shown
    shown = text(client.get(plan_url(a) + f"?pin={other_day.pk}&pin=x&pin={a.pk}"))
    assert "not waiting for a decision on this day: left out." in shown
    assert "(held as filed)" in shown  # the one that fits is held


def test_a_notice_still_waiting_for_an_agency_is_recorded_with_the_officers_reason_not_to_wait(
    client, square, aigerim, dana
):
    from agora.rules.models import Agency

    Agency.objects.create(jurisdiction=square.jurisdiction, code="police", name={"en": "Police"})
    march = file(
        aigerim, square, future(days=14, hour=11), future(days=14, hour=13), kind="march", people=600
    )
    sign_in_with_totp(client, dana)
    plan = re.search(r'name="plan" value="([^"]+)"', client.get(plan_url(march)).content.decode()).group(1)
    listed = text(client.post(plan_url(march), {"plan": plan}))
    assert "Still waiting for: Police (by" in listed and ", 24:00 (UTC+5))." in listed
    fields = {"plan": plan, "confirm": "1", f"reason-{march.pk}": "Granted as filed."}
    held = client.post(plan_url(march), fields)
    assert held.status_code == 200 and "say here why the decision cannot wait" in text(held)
    assert not march.decisions.exists()
    client.post(plan_url(march), {**fields, f"note-{march.pk}": "The route was agreed on site."})
    assert march.decisions.get().consultation_note == "The route was agreed on site."


def test_the_russian_heading_writes_the_weekday_in_lower_case_after_the_colon(
    client, square, aigerim, bolat, dana
):
    a, _b = seed(square, aigerim, bolat)
    sign_in_with_totp(client, dana)
    heading = re.search(
        r"<h1>(.*?)</h1>", client.get(plan_url(a), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    )
    weekday = heading.group(1).split(": ", 1)[1]
    assert heading.group(1).startswith("План дня: ") and weekday[0].islower(), heading.group(1)


def test_a_notice_held_for_part_of_its_time_is_counted_apart_from_the_plans_proven_bound(
    client, square, aigerim, bolat, dana
):
    from agora.accounts.tokens import create_token

    # two assemblies for the whole square that overlap and accept no other time: no plan holds
    # both whole, so the bound is 1; the one left out is held for the free part of its own
    # time beside it, and the page does not call 2 "proven the most possible" against a bound of 1
    first = file(bolat, square, future(days=14, hour=10), future(days=14, hour=12), people=BIG)
    file(aigerim, square, future(days=14, hour=11), future(days=14, hour=14), people=BIG)
    sign_in_with_totp(client, dana)
    shown = text(client.get(plan_url(first)))
    assert (
        "The plan accommodates 2 (1 of them for only part of the time asked; no plan holds more "
        "than 1 for their whole time without moving accepted assemblies)"
    ) in shown
    assert "proven the most possible" not in shown
    day = first.jurisdiction.local_day(first.starts_at).isoformat()
    plan = client.post(
        "/api/v1/office/allocation",
        {"date": day},
        content_type="application/json",
        headers={"Authorization": f"Bearer {create_token(dana, 'test')[1]}"},
    ).json()
    assert (plan["accommodated"], plan["in_part"], plan["bound"]) == (2, 1, 1)


def test_after_recording_a_pinned_plan_the_day_is_shown_as_it_now_stands(
    client, square, aigerim, bolat, dana
):
    noon = (future(days=14, hour=12), future(days=14, hour=14))
    window = {"window_start": future(days=14, hour=9), "window_end": future(days=14, hour=20)}
    early = file(bolat, square, *noon, people=BIG, **window)
    late = file(aigerim, square, *noon, people=BIG)  # only at noon: offered another time
    sign_in_with_totp(client, dana)
    pinned = plan_url(early) + f"?pin={early.pk}&venue={square.pk}"
    plan = re.search(r'name="plan" value="([^"]+)"', client.get(pinned).content.decode()).group(1)
    reasons = {f"reason-{early.pk}": "Held as filed.", f"reason-{late.pk}": "The square is booked at noon."}
    done = client.post(pinned, {"plan": plan, "confirm": "1", **reasons})
    assert done.status_code == 302 and done["Location"] == plan_url(early) + f"?venue={square.pk}"
    shown = text(client.get(done["Location"]))
    assert "2 decisions recorded" in shown and "not waiting for a decision on this day" not in shown
    # the alternative offered to the later notice holds its place, listed once among the decided
    late.refresh_from_db()
    assert late.status == "alternative_offered" and late.bookings.for_open_alternatives().exists()
    assert shown[shown.index("Decided already") :].count(late.reference) == 1
