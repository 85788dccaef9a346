"""A bounded schemathesis run over the whole JSON API: no server error, no answer outside the schema.

Every operation the OpenAPI description lists (the kernel's and the wave-1
addons', about 116) gets generated valid and invalid requests with a pinned
seed (``derandomize``), as a territory manager and as a salesperson. Checks:
no 5xx, documented status codes, JSON content type, bodies matching the
schema. Reproduce a failure with the printed curl command.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis  # a dev dependency (pyproject.toml), installed by scripts/setup.sh
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 3}


@pytest.fixture(scope="module")
def api_world() -> Iterator[Any]:
    from core.testing.world import build_world

    world, cleanup = build_world("sqlite", addons=["masterdata", "territories", "crm_cards", "pricing"])
    try:
        yield world
    finally:
        cleanup()


def _token(world: Any, role: str) -> str:
    from core.models import ApiToken

    token = secrets.token_urlsafe(24)
    with world.session() as s:
        s.add(ApiToken(user_id=world.users["acme"][role], name="fuzz",
                       token_hash=hashlib.sha256(token.encode()).hexdigest()))
        s.commit()
    return token


@pytest.mark.parametrize("role", ["territory_manager", "salesperson"])
def test_api_has_no_server_error_and_keeps_to_its_schema(api_world, role):
    from core.web.app import create_app

    app = create_app(registry=api_world.registry, test_config={"TESTING": True})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    headers = {"Authorization": f"Bearer {_token(api_world, role)}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 100
    failures: dict[tuple[str, str], str] = {}
    calls = 0

    for operation in operations:
        for mode, examples in EXAMPLES.items():
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def run(case: Any) -> None:
                nonlocal calls
                calls += 1
                response = case.call(headers=headers)
                for check in CHECKS:
                    try:
                        case.validate_response(response, checks=[check], headers=headers)
                    except BaseException as exc:  # noqa: BLE001 - a FailureGroup: note it, go on
                        if isinstance(exc, KeyboardInterrupt):
                            raise
                        failures.setdefault((case.operation.label, check.__name__),
                                            f"{response.status_code} {case.as_curl_command()[:300]}\n{str(exc)[:400]}")

            run()
    assert calls >= 500
    assert not failures, "\n\n".join(f"{op} [{check}]\n{detail}" for (op, check), detail in sorted(failures.items()))
