"""schemathesis runs every operation of docs/openapi.yaml against the app on a real database:
no response is a server error, and every response is one the document describes, for valid
requests (on ids that exist, and on any) and for requests the document says are invalid."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                              status_code_conformance)

from fuzzing import fuzz_settings
from host_support import SEED_CONFIG, Client, make_user

OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def seeded(app):
    """An admin's token, and the ids of a project, a task and an annotation it made."""
    token = make_user(app, "fuzzer", "admin", "fuzz-password")
    client = Client(app, token)
    project = client.post("/api/projects", json={"title": "Fuzz", "label_config": SEED_CONFIG}).json["id"]
    task = client.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"][0]
    keys = [{"frame": f, "x": 10 + f, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}
            for f in (1, 5)]
    result = [{"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
               "value": {"labels": ["Man"], "framesCount": 10, "sequence": keys}}]
    annotation = client.post(f"/api/tasks/{task}/annotations", json={"result": result})
    assert annotation.status_code == 201, annotation.json
    return token, {"project_id": project, "task_id": task, "annotation_id": annotation.json["id"]}


def operations(app=None):
    """The document's operations by label ("GET /api/projects"), sent to `app`."""
    schema = schemathesis.openapi.from_path(OPENAPI)
    schema.app = app
    return {op.label: op for op in (result.ok() for result in schema.get_all_operations())}


@pytest.mark.parametrize("label", sorted(operations()))
def test_api(app, seeded, label):
    token, ids = seeded
    operation = operations(app)[label]
    known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @fuzz_settings(30)
    @given(case=cases)
    def call(case):
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

    call()
