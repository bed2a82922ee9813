"""The tracks of a saved annotation carry a strong ETag by version, task, config and query:
revalidating costs a 304 from one small read (no interpolation, no result loaded); a save or a
config change changes it; several regions can be asked for at once."""

import numpy as np
import pytest
import sqlalchemy as sa

from tracklabel.core.hookspecs import hookimpl
from tracklabel.host import db
from tracklabel.host.store import tasks as task_store
from tracklabel.core.plugins import get_plugin_manager, load_registry
from tracklabel.plugins.interpolators.linear import Linear

from host_support import Client

CONFIG = """<View>
  <Video name="video" value="$video" framerate="25.0"/>
  <VideoRectangle name="box" toName="video" interpolation="counting"/>
  <Labels name="labels" toName="video"><Label value="Man"/><Label value="Woman"/></Labels>
</View>"""


class Counting(Linear):
    """Linear, counting the frames it is asked for."""

    name = "counting"
    frames = 0

    def boxes(self, track, frames):
        Counting.frames += len(np.asarray(frames))
        return super().boxes(track, frames)


class CountingPlugin:
    @hookimpl
    def register_interpolators(self, register):
        register(Counting())


def region(rid, x=10.0):
    keys = [{"frame": 1, "x": x, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True},
            {"frame": 9, "x": x + 40, "y": 10, "width": 5, "height": 5, "rotation": 0, "enabled": True}]
    return {"id": rid, "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"labels": ["Man"], "framesCount": 10, "sequence": keys}}


@pytest.fixture
def saved(app, admin, annotator):
    """A project whose boxes interpolate through the counting plugin, and an annotation of
    three regions saved in it: (project id, annotation id)."""
    pm = get_plugin_manager(load_entry_points=False)
    pm.register(CountingPlugin(), name="counting")
    app.extensions["tracklabel.registry"] = load_registry(pm)
    project = admin.post("/api/projects", json={"title": "Counted", "label_config": CONFIG}).json["id"]
    (task,) = admin.post(f"/api/projects/{project}/tasks", json=[{"data": {"video": "a.mp4"}}]).json["tasks"]
    created = annotator.post(f"/api/tasks/{task}/annotations", json={"result": [region(r) for r in "abc"]})
    assert created.status_code == 201, created.json
    return project, created.json["id"]


def statements(app):
    """The SQL statements run until the list is read (a listener on the app's engine)."""
    seen = []
    sa.event.listen(app.extensions["tracklabel.engine"], "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_a_revalidation_is_a_304_from_a_small_read_with_nothing_interpolated(app, annotator, saved):
    _, aid = saved
    first = annotator.get(f"/api/annotations/{aid}/tracks?from=2&to=8")
    assert first.status_code == 200 and [t["id"] for t in first.json["regions"]] == ["a", "b", "c"]
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "private, no-cache"
    interpolated, seen = Counting.frames, statements(app)
    again = annotator.get(f"/api/annotations/{aid}/tracks?from=2&to=8", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "private, no-cache"
    assert Counting.frames == interpolated  # nothing interpolated
    assert seen and not any("result" in statement for statement in seen)  # the result was not read
    weak = annotator.get(f"/api/annotations/{aid}/tracks?from=2&to=8", headers={"If-None-Match": f"W/{etag}, \"x\""})
    assert weak.status_code == 304 and Counting.frames == interpolated


def test_the_query_is_part_of_the_etag(annotator, saved):
    _, aid = saved
    url = f"/api/annotations/{aid}/tracks"
    etag = annotator.get(f"{url}?from=2&to=8").headers["ETag"]
    for other in ("?from=2&to=9", "?from=3&to=8", "?from=2&to=8&region=a", "?from=2&to=8&hidden=1"):
        response = annotator.get(url + other, headers={"If-None-Match": etag})
        assert response.status_code == 200 and response.headers["ETag"] != etag, other
    assert annotator.get(f"{url}?to=8&from=02", headers={"If-None-Match": etag}).status_code == 304  # same question
    pair = annotator.get(f"{url}?from=2&to=8&region=c&region=a")
    assert [t["id"] for t in pair.json["regions"]] == ["a", "c"]
    swapped = annotator.get(f"{url}?region=a&region=c&from=2&to=8", headers={"If-None-Match": pair.headers["ETag"]})
    assert swapped.status_code == 304


def test_a_save_changes_the_etag_and_the_shapes(annotator, saved):
    _, aid = saved
    url = f"/api/annotations/{aid}/tracks?from=5&to=5&region=a"
    before = annotator.get(url)
    moved = [region("a", x=30.0), region("b"), region("c")]
    assert annotator.put(f"/api/annotations/{aid}", json={"result": moved}, headers={"If-Match": '"1"'}).status_code == 200
    after = annotator.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert before.json["regions"][0]["x"] == [30.0] and after.json["regions"][0]["x"] == [50.0]


def test_a_config_change_changes_the_etag(admin, annotator, saved):
    project, aid = saved
    url = f"/api/annotations/{aid}/tracks?from=1&to=9"
    etag = annotator.get(url).headers["ETag"]
    changed = CONFIG.replace('<Label value="Woman"/>', '<Label value="Woman"/><Label value="Child"/>')
    assert admin.patch(f"/api/projects/{project}", json={"label_config": changed}).status_code == 200
    response = annotator.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def test_the_videos_frame_count_is_part_of_the_etag_and_its_other_facts_are_not(app, annotator, saved):
    _, aid = saved
    url = f"/api/annotations/{aid}/tracks?from=1&to=9"
    etag = annotator.get(url).headers["ETag"]
    task = annotator.get(f"/api/annotations/{aid}").json["task"]
    with app.app_context(), db.engine().begin() as conn:
        task_store.set_media(conn, task, {"frames": 10, "fps": 25.0})
    counted = annotator.get(url, headers={"If-None-Match": etag})
    assert counted.status_code == 200 and counted.headers["ETag"] != etag
    with app.app_context(), db.engine().begin() as conn:
        task_store.set_media(conn, task, {"frames": 10, "fps": 25.0, "proxy": "made later"})
    assert annotator.get(url, headers={"If-None-Match": counted.headers["ETag"]}).status_code == 304


def test_the_version_asked_for_must_be_the_stored_one(annotator, saved):
    _, aid = saved
    assert annotator.get(f"/api/annotations/{aid}/tracks?version=1&to=3").status_code == 200
    stale = annotator.get(f"/api/annotations/{aid}/tracks?version=2&to=3")
    assert stale.status_code == 409 and stale.json["error"] == "conflict" and stale.json["version"] == 1


def test_who_may_not_read_it_gets_no_304(app, annotator, saved):
    _, aid = saved
    url = f"/api/annotations/{aid}/tracks?from=1&to=9"
    etag = annotator.get(url).headers["ETag"]
    stranger = Client(app).get(url, headers={"If-None-Match": etag})
    assert stranger.status_code == 401 and stranger.json["error"]
    assert annotator.delete(f"/api/annotations/{aid}").status_code == 204
    gone = annotator.get(url, headers={"If-None-Match": etag})
    assert gone.status_code == 404 and gone.json["error"] == "not_found"


def test_unsaved_regions_are_posted_and_several_can_be_asked_for(annotator, saved):
    _, aid = saved
    task = annotator.get(f"/api/annotations/{aid}").json["task"]
    body = {"result": [region("x", x=0.0), region("y"), region("z")]}
    response = annotator.post(f"/api/tasks/{task}/tracks?from=5&to=5&region=x&region=z", json=body)
    assert response.status_code == 200 and "ETag" not in response.headers
    assert [(t["id"], t["x"]) for t in response.json["regions"]] == [("x", [20.0]), ("z", [30.0])]
