"""Browser fixtures: Debian's Chromium driven by playwright (skipped with a reason when it is
missing, a failure under CI=true), a real `tracklabel serve` with stamped videos, a signed-in
page (a screenshot kept when a test fails), and small helpers for driving the player."""

import os
from pathlib import Path

import pytest

import video_factory
from server_process import Client, Server, add_user, wait_indexed

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--mute-audio"]
PASSWORD = "player-test-password"
SETTINGS = ("layout", "hotkeys")  # the player's per-user settings that are not per task
CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Man" background="blue" hotkey="1"/><Label value="Woman" background="red"/></Labels>
</View>"""
# every drawing tool (a button each in the bar under the video): a box, a polygon, a key point
SHAPES_CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <VideoPolygon name="poly" toName="video"/>
  <VideoKeyPoint name="point" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Man" background="blue"/></Labels>
</View>"""


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: browser tests need Debian's chromium package"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class PlayerServer:
    """A real `tracklabel serve` with a media root, an admin who can sign in, and a token."""

    def __init__(self, root: Path):
        self.media = root / "media"
        self.media.mkdir(parents=True)
        data = root / "data"
        data.mkdir()
        self.token = add_user(data, "admin", "admin", PASSWORD)
        self.process = Server(data, media_roots=[self.media])
        self.url = self.process.url
        self.client = Client(self.process.port, self.token)

    def call(self, method, path, body=None):
        status, _, payload = self.client.request(method, path, body)
        assert status < 300, (status, payload)
        return payload

    def video_task(self, project: int, name: str) -> int:
        (task,) = self.call("POST", f"/api/projects/{project}/tasks", {"path": str(self.media / name)})["tasks"]
        wait_indexed(self.client, task)
        return task

    def stop(self):
        self.client.close()
        self.process.stop()


def config_fixtures(name: str, config: str):
    """A test module's `server` and `task` fixtures for one config: a host with a 90-frame stamped
    video and a project with `config` (the project list a sign-in lands on is not empty), and a
    fresh task of it opened in the player. `server, task = config_fixtures("name", CONFIG)`."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        server = PlayerServer(tmp_path_factory.mktemp(name))
        video_factory.encode(server.media / "stamped.mp4", frames=90, size=(320, 240), options={"g": "30", "bf": "2"})
        server.call("POST", "/api/projects", {"title": name, "label_config": config})
        yield server
        server.stop()

    @pytest.fixture
    def task(page, server):
        task = fresh_task(server, config)
        open_task(page, server, task)
        return task

    return server, task


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = PlayerServer(tmp_path_factory.mktemp("player"))
    video_factory.encode(server.media / "stamped.mp4", frames=90, size=(320, 240),
                         options={"g": "30", "bf": "2"})
    video_factory.encode(server.media / "stamped.webm", frames=90, size=(320, 240), codec="libvpx-vp9",
                         options={"g": "30"})
    project = server.call("POST", "/api/projects", {"title": "Player", "label_config": CONFIG})["id"]
    video_factory.variable_rate(server.media / "stamped-vfr.mp4", frames=90)
    video_factory.late_start(server.media / "stamped-late.mp4", frames=60)
    server.tasks = {name: server.video_task(project, name)
                    for name in ("stamped.mp4", "stamped.webm", "stamped-vfr.mp4", "stamped-late.mp4")}
    yield server
    server.stop()


@pytest.fixture
def page(chromium, server, request, tmp_path):
    for key in SETTINGS:  # the admin's settings live on the host: each test starts from the defaults
        server.call("PUT", f"/api/me/settings/{key}", {"value": {}})
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url + "/")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button")
    page.wait_for_selector("section h2")
    yield page
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        folder = Path(os.environ.get("TRACKLABEL_ARTIFACTS", "test-artifacts"))
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"))
    context.close()
    assert not errors, errors


def open_task(page, server, task: int):
    """Open a task and wait until the player is ready (its first frame presented)."""
    page.goto(f"{server.url}/tasks/{task}")
    wait_ready(page)


def wait_ready(page):
    page.wait_for_function("window.tracklabel && window.__ready !== undefined", timeout=30000)


def draw(page, x0, y0, x1, y1):
    box = page.locator(".stage .overlay").bounding_box()
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    page.mouse.move(box["x"] + x1, box["y"] + y1, steps=6)
    page.mouse.up()


def go(page, frame: int) -> int:
    """Seek; the frame the browser then presents."""
    return page.evaluate(f"tracklabel.seek({frame})")


def settle(page, target: int) -> int:
    """After a key or button that seeks to `target`: wait for the seek to be asked for and for
    every queued seek to present its frame; the frame shown."""
    page.wait_for_function(f"tracklabel.player.target === {target}")
    return page.evaluate("tracklabel.player.clock.pending")


def wait_regions(page, count: int):
    """`count` regions, each keyframed one with the host's shapes arrived (an edit is done when
    they are; regions of other kinds, such as timeline ranges, have none to wait for)."""
    page.wait_for_function(f"tracklabel.regions().length === {count} && "
                           "tracklabel.player.store.keyframedRegions().every(r => tracklabel.player.store.tracks.has(r.id))")


def fresh_task(server, config: str = CONFIG, video: str = "stamped.mp4") -> int:
    project = server.call("POST", "/api/projects", {"title": "Fresh", "label_config": config})["id"]
    return server.video_task(project, video)


def on_page(page, x: float, y: float) -> tuple[float, float]:
    """Where the point (x, y), in percent of the video, is on the page (zoom and pan included)."""
    return tuple(page.evaluate("""([x, y]) => {
      const v = tracklabel.player.view(), r = document.querySelector('.stage .overlay').getBoundingClientRect();
      return [r.left + v.left + x / 100 * v.width, r.top + v.top + y / 100 * v.height];
    }""", [x, y]))


def click_at(page, x: float, y: float, alt: bool = False):
    """Click the video at (x, y) percent, with alt held if asked."""
    if alt:
        page.keyboard.down("Alt")
    page.mouse.click(*on_page(page, x, y))
    if alt:
        page.keyboard.up("Alt")


def overlay_alpha(page, x: float, y: float) -> int:
    """How opaque the overlay's drawing is at (x, y) percent: 0 where nothing is drawn."""
    return page.evaluate("""([x, y]) => {
      const overlay = document.querySelector('.stage .overlay'), v = tracklabel.player.view();
      const ratio = overlay.width / overlay.clientWidth;
      const px = Math.round((v.left + x / 100 * v.width) * ratio), py = Math.round((v.top + y / 100 * v.height) * ratio);
      return overlay.getContext('2d').getImageData(px, py, 1, 1).data[3];
    }""", [x, y])


def drag_at(page, start: tuple[float, float], end: tuple[float, float]):
    """Drag on the video from `start` to `end` (percent)."""
    page.mouse.move(*on_page(page, *start))
    page.mouse.down()
    page.mouse.move(*on_page(page, *end), steps=6)
    page.mouse.up()


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots (not committed)
PAGE_VIEWPORT = {"width": 1440, "height": 900}


def signed_in(chromium, base_url: str, url: str, name: str = "admin", password: str = PASSWORD, **context):
    """A new 1440x900 page signed in through the pages' login form as `name`, on `url` once the
    page is mounted; its script errors are collected in `page.errors`."""
    page = chromium.new_context(viewport=PAGE_VIEWPORT, **context).new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(base_url + url)
    page.fill("form.login input[name=name]", name)
    page.fill("form.login input[name=password]", password)
    page.click("form.login button")
    page.wait_for_selector("body[data-ready=true]")
    return page


def screenshot(page, name: str) -> None:
    """The page as it is, to tests/artifacts/<name>."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))
