"""Per-user settings on the host (GET/PUT /api/me/settings/<key>): each user's own, replaced
whole, checked per key and bounded in size, with the path of what is wrong."""

import pytest

from host_support import Client


def test_a_setting_is_the_users_own_and_replaced_whole(app, admin, annotator):
    assert admin.get("/api/me/settings/layout").json == {"key": "layout", "value": None, "updated_at": None}
    stored = admin.put("/api/me/settings/layout", json={"value": {"side": "left", "width": 420}})
    assert stored.status_code == 200 and stored.json["value"] == {"side": "left", "width": 420}
    assert stored.json["updated_at"]
    assert admin.put("/api/me/settings/layout", json={"value": {"side": "right"}}).status_code == 200
    assert admin.get("/api/me/settings/layout").json["value"] == {"side": "right"}
    assert annotator.get("/api/me/settings/layout").json["value"] is None  # another user's is not theirs
    assert annotator.put("/api/me/settings/hotkeys", json={"value": {"play": "alt+p"}}).status_code == 200
    assert annotator.get("/api/me/settings/hotkeys").json["value"] == {"play": "alt+p"}
    assert admin.get("/api/me/settings/hotkeys").json["value"] is None


def test_regions_are_kept_per_task(admin, project):
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"]
    value = {"hidden": ["r1"], "locked": ["r2", "r3"]}
    assert admin.put(f"/api/me/settings/regions:{task}", json={"value": value}).json["value"] == value
    assert admin.get(f"/api/me/settings/regions:{task}").json["value"] == value
    assert admin.get(f"/api/me/settings/regions:{task + 1}").status_code == 404  # no such task
    admin.delete(f"/api/tasks/{task}")
    assert admin.get(f"/api/me/settings/regions:{task}").status_code == 404


@pytest.mark.parametrize("key", ["colours", "regions:", "regions:0", "regions:x", "regions:99999999999", "Layout"])
def test_an_unknown_key_is_404(admin, key):
    for response in (admin.get(f"/api/me/settings/{key}"), admin.put(f"/api/me/settings/{key}", json={"value": {}})):
        assert response.status_code == 404 and "layout, hotkeys and regions:<task id>" in response.json["message"]


@pytest.mark.parametrize("key, body, path", [
    ("layout", {}, "$.value"),
    ("layout", {"value": [1, 2]}, "$.value"),
    ("layout", {"value": "left"}, "$.value"),
    ("hotkeys", {"value": {"play": 3}}, "$.value.play"),
    ("regions:1", {"value": {"hidden": "r1"}}, "$.value.hidden"),
    ("regions:1", {"value": {"hidden": [1]}}, "$.value.hidden"),
    ("regions:1", {"value": {"folded": []}}, "$.value.folded"),
    ("layout", {"value": {"x": "y" * 70_000}}, "$.value"),
])
def test_a_bad_value_is_400_naming_where_and_stores_nothing(admin, project, key, body, path):
    admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}])
    response = admin.put(f"/api/me/settings/{key}", json=body)
    assert response.status_code == 400 and response.json["path"] == path, response.json
    assert admin.get(f"/api/me/settings/{key}").json["value"] is None


def test_malformed_json_is_400(admin):
    response = admin.put("/api/me/settings/layout", data=b'{"value": {', content_type="application/json")
    assert response.status_code == 400 and response.json["path"] == "$"


def test_settings_need_a_user(app):
    anonymous = Client(app)
    assert anonymous.get("/api/me/settings/layout").status_code == 401
    assert anonymous.put("/api/me/settings/layout", json={"value": {}}).status_code == 401

