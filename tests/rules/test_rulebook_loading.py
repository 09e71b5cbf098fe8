from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from agora.rules.rulebook import RulebookError, load_rulebook_texts
from agora.rules.services import load_rulebooks

SHIPPED = Path(__file__).resolve().parents[2] / "agora" / "rules" / "rulebooks"


def shipped_texts():
    return {p.name: p.read_text() for p in SHIPPED.glob("*.yaml")}


def test_shipped_rulebooks_parse_and_fair_inherits_the_law():
    books = load_rulebook_texts(shipped_texts())
    kz, fair = books["kz-2020"][0], books["fair"][0]
    assert kz.types["rally"].notice.min.amount == 5 and kz.types["rally"].notice.min.unit == "working_days"
    assert kz.types["rally"].decision.after_filing.amount == 3
    assert kz.types["march"].silence == "deemed_refused"
    assert kz.fairness.max_hours_per_organizer_per_venue_day is None
    # fair restates none of the law, yet has it all, plus its own fairness values
    assert fair.types == kz.types
    # the law's grounds, and the day plan's own: a move so that the others of the day fit
    assert fair.refusal_grounds == {**kz.refusal_grounds, "shared_day": fair.refusal_grounds["shared_day"]}
    assert fair.fairness.max_hours_per_organizer_per_venue_day == 4
    assert fair.fairness.release_on_checkout is True
    assert fair.timezone == "Asia/Almaty"


def broken(mutate):
    data = yaml.safe_load((SHIPPED / "kz-2020.yaml").read_text())
    mutate(data)
    return {"kz-2020.yaml": yaml.safe_dump(data)}


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (
            lambda d: d["types"]["rally"].__setitem__("decision_working_days", "three"),
            "types.rally.decision_working_days",
        ),
        (lambda d: d["types"]["rally"].pop("silence"), "types.rally.silence"),
        (lambda d: d["types"]["picket"].__setitem__("silence", "maybe"), "types.picket.silence"),
        (
            lambda d: d["types"]["picket"].__setitem__("notice_days", 3),
            "types.picket.notice_days: unknown field",
        ),
        (
            lambda d: d["types"]["rally"]["notice_working_days"].__setitem__("max", 2),
            "types.rally.notice_working_days",
        ),
        (lambda d: d.__setitem__("hours", {"start": "21:00", "end": "09:00"}), "hours"),
        (lambda d: d["hours"].__setitem__("start", "nine"), "hours.start"),
        (lambda d: d.__setitem__("timezone", "Mars/Olympus"), "timezone: unknown time zone"),
        (lambda d: d["fairness"].__setitem__("changeover_minutes", -5), "fairness.changeover_minutes"),
        (lambda d: d.__setitem__("decision_outcomes", ["accepted", "shrugged"]), "decision_outcomes.1"),
    ],
)
def test_a_malformed_rulebook_is_rejected_naming_the_field(mutate, named):
    with pytest.raises(RulebookError) as error:
        load_rulebook_texts(broken(mutate))
    assert named in str(error.value)
    assert str(error.value).startswith("kz-2020.yaml")


def test_unknown_parent_and_bad_yaml_are_named():
    with pytest.raises(RulebookError, match="extends: unknown rulebook 'nope'"):
        load_rulebook_texts({"x.yaml": "id: x\nversion: 1\nextends: nope\n"})
    with pytest.raises(RulebookError, match="x.yaml: not valid YAML"):
        load_rulebook_texts({"x.yaml": "id: [unclosed"})


def test_loading_is_idempotent_and_a_changed_version_is_refused(db, tmp_path):
    first = load_rulebooks()
    shipped = {"kz-2020", "fair", "ru-54fz", "uk-poa-1986", "de-be-versfg"}
    assert {(rb.code, created) for rb, created in first} == {(code, True) for code in shipped}
    assert all(not created for _, created in load_rulebooks())

    for name, text in shipped_texts().items():
        (tmp_path / name).write_text(text.replace('hours: {start: "09:00"', 'hours: {start: "08:00"'))
    with pytest.raises(RulebookError, match="already loaded with different rules"):
        load_rulebooks(tmp_path)


def test_the_command_reports_errors_without_a_traceback(db, tmp_path):
    (tmp_path / "bad.yaml").write_text("id: bad\nversion: 1\n")
    with pytest.raises(CommandError, match="bad.yaml: title: Field required"):
        call_command("load-rulebooks", str(tmp_path))


def test_a_version_written_in_the_long_form_of_its_periods_is_the_same_version(db, tmp_path):
    """kz-2020 says `notice_working_days` and `decision_working_days`; spelled out as periods
    it reads the same, so it loads as the version already there, not as changed rules."""
    load_rulebooks()
    for name, text in shipped_texts().items():
        if name == "kz-2020.yaml":
            text = text.replace(
                "notice_working_days: {min: 5, max: 10}",
                "notice: {min: {amount: 5, unit: working_days}, max: {amount: 10, unit: working_days}}",
            ).replace("decision_working_days: 3", "decision: {after_filing: {amount: 3, unit: working_days}}")
            assert "notice_working_days: {min: 5" not in text
        (tmp_path / name).write_text(text)
    assert all(not created for _, created in load_rulebooks(tmp_path))
