"""What the player asks the host, in real Chromium against a real `tracklabel serve`: stepping
through a saved annotation across window refetches costs GETs the browser revalidates (304s,
nothing recomputed) and no POST of the result; an edit of one region of ten posts that region
only, and so do the window refetches after it."""

import time

import pytest

import video_factory
from browser_support import CONFIG, PlayerServer, drag_at, go, open_task, wait_regions

FRAMES = 900  # several windows of the player's (three chunks of 200 frames)
REGIONS = 10


def region(i: int) -> dict:
    keys = [{"frame": 1, "x": 2 + 9 * i, "y": 10, "width": 6, "height": 12, "rotation": 0, "enabled": True},
            {"frame": FRAMES, "x": 2 + 9 * i, "y": 70, "width": 6, "height": 12, "rotation": 0, "enabled": True}]
    return {"id": f"r{i}", "type": "videorectangle", "from_name": "box", "to_name": "video",
            "value": {"labels": ["Man"], "framesCount": FRAMES, "sequence": keys}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = PlayerServer(tmp_path_factory.mktemp("requests"))
    video_factory.encode(server.media / "long.mp4", frames=FRAMES, size=(160, 120), options={"g": "50"})
    yield server
    server.stop()


@pytest.fixture
def saved(server):
    """A task of the long video with the admin's annotation of ten regions: (task, annotation)."""
    project = server.call("POST", "/api/projects", {"title": "Requests", "label_config": CONFIG})["id"]
    task = server.video_task(project, "long.mp4")
    annotation = server.call("POST", f"/api/tasks/{task}/annotations", {"result": [region(i) for i in range(REGIONS)]})
    return task, annotation["id"]


class Recorder:
    """The page's requests for tracks (playwright's), and the status the host answered each
    GET with, from Chromium's raw response (a revalidation's 304, which the page's fetch and
    playwright see as the cached 200). Raw answers can be told before their request."""

    def __init__(self, page):
        self.requests, self.sent, self.raw = [], [], {}
        page.on("request", lambda r: self.tracks(r.url) and self.requests.append(r))
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", lambda e: self.tracks(e["request"]["url"])
               and e["request"]["method"] == "GET" and self.sent.append((e["requestId"], e["request"]["url"])))
        cdp.on("Network.responseReceivedExtraInfo", lambda e: self.raw.update({e["requestId"]: e["statusCode"]}))
        cdp.send("Network.enable")

    @staticmethod
    def tracks(url: str) -> bool:
        return "/api/" in url and "/tracks" in url

    def statuses(self, page, gets: list) -> list:
        """(url, status) of the host's answer to each of `gets`, once every one is told."""
        deadline = time.monotonic() + 30
        while not self.told(gets) and time.monotonic() < deadline:
            page.evaluate("0")  # the driver delivers the session's events meanwhile
        assert [url for _, url in self.sent] == [r.url for r in gets]
        return [(url, self.raw.get(rid)) for rid, url in self.sent]

    def told(self, gets: list) -> bool:
        return len(self.sent) == len(gets) and all(rid in self.raw for rid, _ in self.sent)

    def of(self, method: str, start: int = 0) -> list:
        return [r for r in self.requests[start:] if r.method == method]


def settle(page, frame: int):
    """Seek and wait until the window around the frame has its shapes."""
    assert go(page, frame) == frame
    page.wait_for_function(f"""(() => {{ const s = tracklabel.player.store, w = s.windowAround({frame});
        return !s.fetching && s.window.from === w.from && s.window.to === w.to
               && s.keyframedRegions().every(r => s.tracks.has(r.id)); }})()""")


def test_stepping_through_saved_work_is_revalidated_and_posts_nothing(page, server, saved):
    task, annotation = saved
    recorder = Recorder(page)
    open_task(page, server, task)
    wait_regions(page, REGIONS)
    path = [150, 250, 450, 650, 850, 650, 450, 250, 50]
    for frame in path:
        settle(page, frame)
    page.wait_for_function("!tracklabel.player.store.fetching")
    assert recorder.of("POST") == []
    gets = recorder.of("GET")
    assert all(f"/api/annotations/{annotation}/tracks?version=1&" in r.url for r in gets), [r.url for r in gets]
    answered = recorder.statuses(page, gets)
    first = {}
    for url, status in answered:
        first.setdefault(url, status)
    assert set(first.values()) == {200} and len(first) >= 4, answered
    again = answered[len(first):]
    assert len(again) >= 3 and all(status == 304 for _, status in again), answered  # back over windows asked before
    assert page.evaluate("tracklabel.boxAt('r3', 250)")["y"] == pytest.approx(10 + 60 * 249 / (FRAMES - 1))


def test_an_edit_of_one_region_of_ten_posts_that_region_only(page, server, saved):
    task, _ = saved
    recorder = Recorder(page)
    open_task(page, server, task)
    wait_regions(page, REGIONS)
    settle(page, 250)
    start = len(recorder.requests)
    y = page.evaluate("tracklabel.boxAt('r3', 250)")["y"]
    drag_at(page, (2 + 9 * 3 + 3, y + 6), (2 + 9 * 3 + 3, y + 16))  # move r3 down by 10 %
    page.wait_for_function("""(() => { const t = tracklabel.player.store.tracks.get('r3');
        return tracklabel.player.store.region('r3').value.sequence.length === 3 && t.keyframe[t.frame.indexOf(250)]; })()""")
    (posted,) = recorder.of("POST", start)
    assert [r["id"] for r in posted.post_data_json["result"]] == ["r3"]
    settle(page, 650)  # another window: the saved regions by GET, the edited one posted
    after_edit = recorder.of("POST", start)[1:]
    assert after_edit and all([r["id"] for r in p.post_data_json["result"]] == ["r3"] for p in after_edit)
    assert page.evaluate("tracklabel.boxAt('r3', 650)")["y"] != pytest.approx(page.evaluate("tracklabel.boxAt('r2', 650)")["y"])
    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    page.wait_for_function("!tracklabel.player.store.fetching && tracklabel.player.store.edited.size === 0")
    start = len(recorder.requests)
    settle(page, 250)
    assert recorder.of("POST", start) == [] and recorder.of("GET", start)
    assert all("version=2&" in r.url for r in recorder.of("GET", start))
