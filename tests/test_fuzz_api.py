"""schemathesis runs every operation of docs/openapi.yaml against the app on a real database:
no response is a server error, and every response is one the document describes."""

from pathlib import Path

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                              status_code_conformance)

from hypothesis import given

from fuzzing import fuzz_settings
from host_support import SEED_CONFIG, Client, make_user

OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def fuzz_token(app):
    """An admin with a project, a task and an annotation (id 1 each), so ids can hit something."""
    token = make_user(app, "fuzzer", "admin", "fuzz-password")
    client = Client(app, token)
    project = client.post("/api/projects", json={"title": "Fuzz", "label_config": SEED_CONFIG})
    task = client.post(f"/api/projects/{project.json['id']}/tasks", json=[{"data": {"video": "a.mp4"}}])
    keys = [{"frame": f, "x": 10 + f, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}
            for f in (1, 5)]
    result = [{"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
               "value": {"labels": ["Man"], "framesCount": 10, "sequence": keys}}]
    annotation = client.post(f"/api/tasks/{task.json['tasks'][0]}/annotations", json={"result": result})
    assert annotation.status_code == 201, annotation.json
    return token


def operations(app=None):
    """The document's operations by label ("GET /api/projects"), against `app`."""
    schema = schemathesis.openapi.from_path(OPENAPI)
    schema.app = app
    return {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


@pytest.mark.parametrize("label", sorted(operations()))
def test_api(app, fuzz_token, label):
    operation = operations(app)[label]

    @fuzz_settings(25)
    @given(case=operation.as_strategy())
    def call(case):
        case.call_and_validate(headers={"Authorization": f"Token {fuzz_token}"}, checks=CHECKS)

    call()
