"""The labeling queue over the API: the next task in id order that the user has neither annotated
nor skipped and nobody else holds, locks that expire and are refreshed, skips, releases, and
racing annotators who never get the same task."""

import threading

import pytest

from host_support import SEED_CONFIG, Client, make_user

RESULT = [{"id": "r1", "type": "videorectangle", "from_name": "box", "to_name": "video",
           "value": {"labels": ["Man"], "framesCount": 10, "sequence": [
               {"frame": 1, "x": 10, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}]}}]


@pytest.fixture
def clock(app):
    """The app's clock, moved by the test."""
    now = [1_000_000.0]
    app.config.update(CLOCK=lambda: now[0], QUEUE_LOCK_SECONDS=600)
    return now


@pytest.fixture
def tasks(admin, project):
    response = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": f"{i}.mp4"}} for i in range(3)])
    assert response.status_code == 201, response.json
    return response.json["tasks"]


def second_annotator(app, name="ann2"):
    return Client(app, make_user(app, name, "annotator", f"secret-{name}"))


def test_next_gives_tasks_in_id_order_with_their_place(annotator, project, tasks, clock):
    response = annotator.post(f"/api/projects/{project}/next")
    assert response.status_code == 200, response.json
    assert response.json == {"task": tasks[0], "project": project, "index": 1, "total": 3, "left": 3,
                             "previous": None, "next": tasks[1], "lock_seconds": 600}
    again = annotator.post(f"/api/projects/{project}/next")  # a reload: the same task
    assert again.json["task"] == tasks[0]
    assert annotator.post(f"/api/tasks/{tasks[0]}/annotations", json={"result": RESULT}).status_code == 201
    after = annotator.post(f"/api/projects/{project}/next").json  # submitted: the next one
    assert (after["task"], after["index"], after["left"], after["previous"]) == (tasks[1], 2, 2, tasks[0])


def test_a_task_another_annotator_holds_is_passed_over_until_the_lock_expires(app, annotator, project, tasks, clock):
    other = second_annotator(app)
    assert annotator.post(f"/api/projects/{project}/next").json["task"] == tasks[0]
    assert other.post(f"/api/projects/{project}/next").json["task"] == tasks[1]
    refused = other.post(f"/api/tasks/{tasks[0]}/lock")
    assert refused.status_code == 409 and refused.json["error"] == "locked"
    assert "another annotator has task" in refused.json["message"] and refused.json["lock_seconds"] == 600
    clock[0] += 500
    assert annotator.post(f"/api/tasks/{tasks[0]}/lock").json["lock_seconds"] == 600  # refreshed
    clock[0] += 500  # 1000 s since it was taken, 500 since refreshed: still held
    assert other.post(f"/api/tasks/{tasks[0]}/lock").status_code == 409
    clock[0] += 101  # expired
    taken = other.post(f"/api/tasks/{tasks[0]}/lock")
    assert taken.status_code == 200 and taken.json["task"] == tasks[0]
    assert annotator.post(f"/api/tasks/{tasks[0]}/lock").status_code == 409


def test_skip_is_not_offered_again_and_releases_the_lock(app, annotator, project, tasks, clock):
    assert annotator.post(f"/api/projects/{project}/next").json["task"] == tasks[0]
    assert annotator.post(f"/api/tasks/{tasks[0]}/skip").status_code == 204
    assert annotator.post(f"/api/tasks/{tasks[0]}/skip").status_code == 204  # twice is once
    nxt = annotator.post(f"/api/projects/{project}/next").json
    assert (nxt["task"], nxt["left"]) == (tasks[1], 2)
    # the skipped task is free for others at once
    assert second_annotator(app).post(f"/api/projects/{project}/next").json["task"] == tasks[0]


def test_release_frees_the_task_and_leaves_others_locks_alone(app, annotator, project, tasks, clock):
    other = second_annotator(app)
    annotator.post(f"/api/projects/{project}/next")
    assert other.delete(f"/api/tasks/{tasks[0]}/lock").status_code == 204  # not theirs: nothing happens
    assert other.post(f"/api/projects/{project}/next").json["task"] == tasks[1]
    assert annotator.delete(f"/api/tasks/{tasks[0]}/lock").status_code == 204
    assert second_annotator(app, "ann3").post(f"/api/projects/{project}/next").json["task"] == tasks[0]


def test_taking_the_next_task_releases_the_one_left(app, annotator, project, tasks, clock):
    annotator.post(f"/api/projects/{project}/next")
    annotator.post(f"/api/tasks/{tasks[0]}/annotations", json={"result": RESULT})
    assert annotator.post(f"/api/projects/{project}/next").json["task"] == tasks[1]
    # the submitted task's lock ended with it: another annotator may open it
    assert second_annotator(app).post(f"/api/tasks/{tasks[0]}/lock").status_code == 200


def test_no_task_left_is_204(annotator, project, tasks, clock):
    for task in tasks:
        annotator.post(f"/api/tasks/{task}/skip")
    response = annotator.post(f"/api/projects/{project}/next")
    assert response.status_code == 204 and response.data == b""


def test_unknown_ids_and_no_credentials(app, annotator, project, tasks):
    assert annotator.post("/api/projects/999/next").status_code == 404
    for method, url in (("POST", "/api/tasks/999/skip"), ("POST", "/api/tasks/999/lock"),
                        ("DELETE", "/api/tasks/999/lock")):
        response = annotator.call(method, url)
        assert response.status_code == 404 and "no task 999" in response.json["message"]
    assert Client(app).post(f"/api/projects/{project}/next").status_code == 401


def test_racing_annotators_never_get_the_same_task(app, admin, project, clock):
    count = 8
    tasks = admin.post(f"/api/projects/{project}/tasks",
                       json=[{"data": {"video": f"{i}.mp4"}} for i in range(count)]).json["tasks"]
    clients = [second_annotator(app, f"racer{i}") for i in range(count + 2)]
    barrier = threading.Barrier(len(clients))
    got = [None] * len(clients)

    def claim(i):
        barrier.wait()
        response = clients[i].post(f"/api/projects/{project}/next")
        got[i] = response.json["task"] if response.status_code == 200 else response.status_code

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [g for g in got if g != 204]
    assert sorted(claimed) == tasks and got.count(204) == 2


def test_the_label_page_is_the_player(app, project):
    response = app.test_client().get(f"/projects/{project}/label")
    assert response.status_code == 200 and b"/static/player/main.js" in response.data


def test_a_project_s_queue_is_its_own(admin, annotator, project, tasks, clock):
    other = admin.post("/api/projects", json={"title": "Other", "label_config": SEED_CONFIG}).json["id"]
    task = admin.post(f"/api/projects/{other}/tasks", json=[{"data": {"video": "x.mp4"}}]).json["tasks"][0]
    assert annotator.post(f"/api/projects/{other}/next").json["task"] == task
    # opening another project's queue leaves this lock alone
    assert annotator.post(f"/api/projects/{project}/next").json["task"] == tasks[0]
    assert second_annotator(annotator.client.application).post(f"/api/projects/{other}/next").status_code == 204
