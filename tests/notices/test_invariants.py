"""`agora check-invariants` on a live database: silent when the data holds, naming each
record when a change made around the services breaks an invariant."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from agora.notices import services
from agora.notices.models import Notice
from agora.scheduling.models import Booking
from tests.conftest import NOW, at, file


@pytest.fixture
def accepted(square, aigerim, dana):
    with time_machine.travel(NOW, tick=False):
        notice = file(aigerim, square, at(19, 14), at(19, 16), purpose="P", people=300)
        services.decide(notice, dana, "accepted", reasoning="Fine.")
    return notice


def check() -> str:
    out = io.StringIO()
    call_command("check-invariants", stdout=out)
    return out.getvalue()


def test_the_demo_city_keeps_every_invariant(db):
    call_command("load-demo", stdout=io.StringIO())
    assert check().strip() == "every invariant holds"


def test_a_withdrawal_written_around_the_services_is_named(accepted):
    with time_machine.travel(NOW, tick=False):
        assert check().strip() == "every invariant holds"
        Notice.objects.filter(pk=accepted.pk).update(status="withdrawn")  # the booking stays
        # held time for a notice not going ahead, and a status the log never recorded
        out = io.StringIO()
        with pytest.raises(CommandError, match="2 breach"):
            call_command("check-invariants", stderr=out)
        assert f"log_agrees: notices_notice #{accepted.pk}" in out.getvalue()
        assert 'status: the log says "accepted"' in out.getvalue()


def test_a_check_in_days_early_is_named(accepted):
    Booking.objects.filter(notice=accepted).update(checked_in_at=NOW)
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError):
        check()
