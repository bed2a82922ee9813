"""Members API (admins only): add a user with a role and a generated password shown once, reset a
password (the old one and every session end at once), list and revoke tokens (a revoked token
is refused at its next request), annotation counts and last activity; annotators get 403."""

import pytest

from host_support import Client

REGION = {"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
          "value": {"labels": ["Man"], "framesCount": 4, "sequence": [
              {"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}]}}


def login(app, name, password):
    browser = app.test_client()
    return browser, browser.post("/api/auth/login", json={"name": name, "password": password})


def ids(admin):
    return {row["name"]: row["id"] for row in admin.get("/api/users").json}


def test_an_admin_adds_a_user_who_signs_in_with_the_password_shown_once(app, admin):
    response = admin.post("/api/users", json={"name": "maria", "role": "annotator"})
    assert response.status_code == 201, response.json
    created = response.json
    assert created["user"] == {"id": created["user"]["id"], "name": "maria", "role": "annotator"}
    _, signed_in = login(app, "maria", created["password"])
    assert signed_in.status_code == 200 and signed_in.json["user"]["role"] == "annotator"
    token_client = Client(app, created["token"])
    assert token_client.get("/api/auth/me").json["user"]["name"] == "maria"
    listed = {row["name"]: row for row in admin.get("/api/users").json}
    assert set(listed["maria"]) == {"id", "name", "role", "created_at", "annotations", "last_activity"}
    assert listed["maria"]["last_activity"] is not None  # the session just used
    assert "password" not in str(admin.get("/api/users").json)
    assert created["password"] not in str(admin.get(f"/api/users/{created['user']['id']}/tokens").json)
    assert admin.post("/api/users", json={"name": "boss", "role": "admin"}).json["user"]["role"] == "admin"
    assert admin.post("/api/users", json={"name": "anon"}).json["user"]["role"] == "annotator"


@pytest.mark.parametrize("body, path", [
    ({}, "$.name"), ({"name": ""}, "$.name"), ({"name": " x"}, "$.name"), ({"name": 5}, "$.name"),
    ({"name": "x" * 201}, "$.name"), ({"name": "x", "role": "owner"}, "$.role"), ({"name": "x", "role": None}, "$.role"),
])
def test_bad_new_users_are_400_naming_the_field_and_nothing_is_stored(admin, body, path):
    response = admin.post("/api/users", json=body)
    assert response.status_code == 400 and response.json["path"] == path, response.json
    assert sorted(ids(admin)) == ["admin"]


def test_a_taken_name_is_409(admin, annotator):
    response = admin.post("/api/users", json={"name": "ann", "role": "admin"})
    assert response.status_code == 409 and response.json["path"] == "$.name"
    assert {row["name"]: row["role"] for row in admin.get("/api/users").json}["ann"] == "annotator"


def test_a_reset_password_ends_the_old_one_and_every_session_at_once(app, admin, annotator):
    browser, signed_in = login(app, "ann", "secret-ann")
    assert browser.get("/api/auth/me").status_code == 200
    response = admin.post(f"/api/users/{ids(admin)['ann']}/password")
    assert response.status_code == 200 and response.json["user"]["name"] == "ann"
    assert browser.get("/api/auth/me").status_code == 401  # the session ended
    assert login(app, "ann", "secret-ann")[1].status_code == 401  # the old password
    assert login(app, "ann", response.json["password"])[1].status_code == 200
    assert annotator.get("/api/auth/me").status_code == 200  # API tokens are revoked on their own
    assert admin.post("/api/users/999/password").status_code == 404


def test_a_revoked_token_is_refused_at_once(app, admin, annotator):
    ann = ids(admin)["ann"]
    tokens = admin.get(f"/api/users/{ann}/tokens").json
    assert [t["kind"] for t in tokens] == ["api"] and set(tokens[0]) == {"id", "kind", "created_at"}
    assert annotator.get("/api/projects").status_code == 200
    assert admin.delete(f"/api/users/{ann}/tokens/{tokens[0]['id']}").status_code == 204
    response = annotator.get("/api/projects")
    assert response.status_code == 401 and response.json["message"] == "unknown token"
    assert admin.get(f"/api/users/{ann}/tokens").json == []
    assert admin.delete(f"/api/users/{ann}/tokens/{tokens[0]['id']}").status_code == 404


def test_a_token_is_revoked_only_through_its_own_user(admin, annotator):
    users = ids(admin)
    (token,) = admin.get(f"/api/users/{users['admin']}/tokens").json
    response = admin.delete(f"/api/users/{users['ann']}/tokens/{token['id']}")
    assert response.status_code == 404 and annotator.get("/api/auth/me").status_code == 200
    assert admin.get("/api/users/999/tokens").status_code == 404
    assert admin.get(f"/api/users/{users['admin']}/tokens").json == [token]


def test_counts_of_annotations_and_last_activity(admin, annotator, project):
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"]
    for client in (annotator, annotator, admin):
        assert client.post(f"/api/tasks/{task}/annotations", json={"result": [REGION]}).status_code == 201
    prediction = {"result": [REGION], "kind": "prediction"}
    assert admin.post(f"/api/tasks/{task}/annotations", json=prediction).status_code == 201
    rows = {row["name"]: row for row in admin.get("/api/users").json}
    assert (rows["ann"]["annotations"], rows["admin"]["annotations"]) == (2, 1)  # predictions not counted
    assert rows["ann"]["last_activity"] >= rows["ann"]["created_at"][:19]
    fresh = admin.post("/api/users", json={"name": "new"}).json["user"]["id"]
    assert {row["id"]: row for row in admin.get("/api/users").json}[fresh]["last_activity"] is None


def test_annotators_get_403_on_every_members_route(app, admin, annotator):
    ann = ids(admin)["ann"]
    (token,) = admin.get(f"/api/users/{ann}/tokens").json
    values = {"user_id": ann, "token_id": token["id"]}
    calls = [(method, rule.build(values, append_unknown=False)[1])
             for rule in app.url_map.iter_rules() if rule.endpoint.startswith("members.")
             for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    assert len(calls) == 5
    for method, url in calls:
        body = {"name": "sneaky", "role": "admin"} if method == "POST" else None
        response = annotator.call(method, url, json=body)
        assert response.status_code == 403 and response.json["error"] == "forbidden", (method, url)
        assert Client(app).call(method, url, json=body).status_code == 401
    assert sorted(ids(admin)) == ["admin", "ann"] and annotator.get("/api/auth/me").status_code == 200
    assert login(app, "ann", "secret-ann")[1].status_code == 200  # the password is unchanged
