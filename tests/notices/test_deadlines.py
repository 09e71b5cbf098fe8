import pytest
from django.core.management import call_command

from agora.notices import services
from agora.notices.workflow import Status
from tests.conftest import NOW, at, file


@pytest.fixture
def pending(square, aigerim):
    return file(aigerim, square, at(19, 14), at(19, 17), at=NOW, purpose="P", people=100)


def test_silence_is_applied_only_once_the_deadline_passed(pending):
    assert services.apply_due_silences(at=at(9, 23, 59)) == []
    [decision] = services.apply_due_silences(at=at(10, 0))
    assert decision.outcome == Status.DEEMED_ACCEPTED
    assert services.apply_due_silences(at=at(11, 0)) == []  # nothing twice


def test_the_cron_command_runs_all_periodic_work(pending, capsys):
    call_command("run-deadlines")  # real now: long past March 2022
    pending.refresh_from_db()
    assert pending.status == Status.DEEMED_ACCEPTED
    assert "1 decided by silence" in capsys.readouterr().out


def test_officers_are_reminded_once_a_day_before_the_deadline(pending, dana, mailoutbox):
    from agora.notices.notify import remind_officers

    assert remind_officers(at=at(8, 23)) == 0  # deadline 10 March 00:00: more than a day ahead
    assert remind_officers(at=at(9, 1)) == 1
    assert remind_officers(at=at(9, 2)) == 0
    [email] = mailoutbox
    assert email.to == [dana.email] and pending.reference in email.subject


def test_every_status_change_emails_the_organizer_in_their_language(
    pending, dana, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(pending, dana, "accepted")
    [email] = mailoutbox
    assert email.to == ["aigerim@example.org"] and pending.reference in email.subject
    assert "Қабылданды" in email.subject  # Aigerim reads Kazakh
