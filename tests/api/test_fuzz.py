"""Schemathesis against the API's own live OpenAPI document (served by the app, in-process).

Every operation gets a bounded number of generated requests, valid and invalid, each sent
with the token of the role the operation is for; no response may be a server error or
break the schema, and no request that breaks the schema may be accepted. The examples are
the same on every run (derandomized); `AGORA_FUZZ_RANDOM=1` draws new ones and
`AGORA_FUZZ_EXAMPLES` raises the count, for a longer run by hand.
"""

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from agora.accounts.models import AgencyStaff
from agora.accounts.tokens import create_token
from agora.rules.models import Agency
from tests.conftest import file, future

EXAMPLES = int(os.environ.get("AGORA_FUZZ_EXAMPLES", "15"))


# Loaded once, at collection, from the running app (no database needed for the document).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection across the app's requests, as Django's test
    client does: the real WSGI handler closes a connection that is not in autocommit."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(in_test_transaction, db, square, gandhi, aigerim, dana, settings):
    settings.AGORA_API_RATE_ANONYMOUS = settings.AGORA_API_RATE_TOKEN = "100000/m"
    # Something to find: a pending notice, a decided one, a refusal with an alternative.
    for hour in (10, 12):
        file(aigerim, square, future(hour=hour), future(hour=hour + 1), purpose="Fuzz", people=10)
    # The officer administers the city, so declaring and lifting closures run too, not only 403.
    dana.officer.administers = True
    dana.officer.save()
    # a consulted agency's staff member, and a march waiting for its answer
    agency = Agency.objects.create(jurisdiction=square.jurisdiction, code="police", name={"en": "Police"})
    staff = get_user_model().objects.create_user("police", "police@example.org", "pw-for-tests-1")
    AgencyStaff.objects.create(user=staff, agency=agency)
    file(aigerim, square, future(days=21, hour=11), future(days=21, hour=13), kind="march", people=100)
    return {
        "organizer": create_token(aigerim, "fuzz")[1],
        "officer": create_token(dana, "fuzz")[1],
        "agency": create_token(staff, "fuzz")[1],
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize="AGORA_FUZZ_RANDOM" not in os.environ,
    database=None,
)
def test_api_never_fails_and_keeps_its_schema(case, tokens):
    tags = case.operation.definition.raw.get("tags", [])
    role = next((r for r in ("officer", "organizer", "agency") if r in tags), None)
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
    # Not "every schema-valid request succeeds": rules across fields (ends after starts) and
    # the state of the data (an unknown venue) cannot be written in OpenAPI.
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
