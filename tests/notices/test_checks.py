"""The notice's check constraints asked in Python (Notice.broken_checks, which filing uses
for its messages) give the database's answers: hypothesis over the values they compare."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.notices.models import Notice
from tests.conftest import ALMATY

BASE = dt.datetime(2026, 12, 20, 12, tzinfo=ALMATY)
moments = st.one_of(st.none(), st.integers(-3, 3).map(lambda h: BASE + dt.timedelta(hours=h)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.integers(-3, 3).map(lambda h: BASE + dt.timedelta(hours=h)),
    end=st.integers(-3, 3).map(lambda h: BASE + dt.timedelta(hours=h)),
    window_start=moments,
    window_end=moments,
    participants=st.integers(-1, 2),
)
def test_python_and_the_database_agree_on_every_check(
    square, aigerim, start, end, window_start, window_end, participants
):
    notice = Notice(
        organizer=aigerim.organizer,
        jurisdiction=square.jurisdiction,
        venue=square,
        assembly_type="rally",
        purpose="Checks",
        starts_at=start,
        ends_at=end,
        window_start=window_start,
        window_end=window_end,
        expected_participants=participants,
    )
    names = ["notice_ends_after_start", "notice_window_contains_request", "notice_has_participants"]
    in_database = []
    for constraint in Notice._meta.constraints:
        if constraint.name in names:
            try:
                constraint.validate(Notice, notice)
            except ValidationError:
                in_database.append(constraint.violation_error_message)
    assert sorted(notice.broken_checks()) == sorted(in_database)
