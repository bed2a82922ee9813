"""The tag-module contract (`ctx`): the builtin tag modules use nothing else of the player, every
ctx member is documented, and a plugin tag whose module gets only ctx registers a kind, draws
it, edits it in the Details panel, adds a timeline row aligned with the timeline and records a
held key, in real Chromium against a real `tracklabel serve` that loads the plugin."""

import os
import re
from pathlib import Path

import pytest

import video_factory
from browser_support import PlayerServer, open_task, wait_regions
from test_plugins import install

ROOT = Path(__file__).resolve().parents[1]
TAG_MODULES = sorted((ROOT / "plugins" / "tags").glob("*.js"))
CTX_JS = ROOT / "host" / "static" / "player" / "ctx.js"
SECTION = "#### The tag's module in the player"


def documented() -> str:
    """The docs' subsection on tag modules."""
    text = (ROOT / "docs" / "plugins.md").read_text()
    start = text.index(SECTION)
    return text[start:text.index("\n### ", start)]


def example(first_line: str) -> str:
    """The fenced block of docs/plugins.md that starts with this line."""
    text = (ROOT / "docs" / "plugins.md").read_text()
    (block,) = re.findall(r"```\w+\n(" + re.escape(first_line) + r"\n.*?)```", text, flags=re.S)
    return block


def code(source: str) -> str:
    """JS source without its comments."""
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", source, flags=re.S)


def assert_only_ctx(name: str, source: str):
    """The module's entry is mount(node, ctx), and it uses nothing of the player but ctx's
    documented members."""
    source = code(source)
    assert re.search(r"export (async )?function mount\(node, ctx\)", source), "mount(node, ctx) is its entry"
    for forbidden in (r"\bplayer\.", r"ctx\.player\b", r"\bwindow\.tracklabel\b", r"\bimport\b[^;]*player"):
        assert not re.search(forbidden, source), f"{name} uses {forbidden}"
    assert not re.search(r"""\bimport\s*[({"']|\bimport\b.*\bfrom\b""", source), \
        f"{name} imports a file (it is served alone, and the player is not its to import)"
    undocumented = {member for member in re.findall(r"\bctx\.(\w+)", source)
                    if f"ctx.{member}" not in documented()}
    assert not undocumented, f"{name} uses ctx members docs/plugins.md does not describe: {undocumented}"


@pytest.mark.parametrize("module", TAG_MODULES, ids=lambda p: p.name)
def test_a_builtin_tag_module_uses_only_ctx(module):
    assert_only_ctx(module.name, module.read_text())


def test_the_documented_example_module_uses_only_ctx():
    assert_only_ctx("the VideoLine example", example("// tracklabel_videoline.js"))


def test_every_ctx_member_is_documented_with_its_signature():
    source = code(CTX_JS.read_text())
    members = re.findall(r"^    (?:get )?(\w+)(?=[:(,])", source, flags=re.M)
    assert len(members) > 30
    docs = documented()
    missing = [name for name in members if f"ctx.{name}" not in docs]
    assert not missing, f"ctx members missing from docs/plugins.md: {missing}"


@pytest.mark.parametrize("source", [
    "export function mount(node, ctx) { ctx.player.store.regions(); }",
    "export function mount(node, {player}) { player.render(); }",
    'import {el} from "/static/player/dom.js";\nexport function mount(node, ctx) {}',
    "export function mount(node, ctx) { window.tracklabel.seek(1); }",
    "export function mount(node, ctx) { ctx.secretMember(); }",
])
def test_the_checks_catch_a_module_that_reaches_past_ctx(source):
    with pytest.raises(AssertionError):
        assert_only_ctx("a bad module", source)


# A plugin tag: squares keyed on frames (the rectangle's interpolation on the host), whose
# player module uses only ctx.
SQUARE_PY = '''
from pathlib import Path
from tracklabel.core.hookspecs import hookimpl
from tracklabel.plugins.tags.videorectangle import VideoRectangle


class TestSquare(VideoRectangle):
    name = "TestSquare"
    region_type = "testsquare"
    module = Path(__file__).with_name("testsquare.js")


@hookimpl
def register_tags(register):
    register(TestSquare())
'''

SQUARE_JS = '''
const KIND = {
  type: "testsquare", keyframed: true, fields: ["x", "y", "width", "height", "rotation"],
  check(shape) { if (!(shape.width > 0)) throw new Error("a square needs a side"); },
  details: shape => [{key: "x", label: "left", value: shape.x, unit: "x"},
                     {key: "width", label: "side", value: shape.width, unit: "x"}],
  withDetail: (shape, key, value) => ({...shape, [key]: value}),
};

export function mount(node, ctx) {
  ctx.registerKind(KIND);
  const row = document.createElement("canvas");
  row.className = "square-row";
  ctx.timelineArea.append(row);
  ctx.on("timeline", view => { row.dataset.view = JSON.stringify({start: view.start, span: view.span, x20: view.xOf(20)}); });
  ctx.on("change", change => { row.dataset.changed = change.id; });
  ctx.hotkey("q", "square key", () => ctx.status("square key down"), {up: () => ctx.status("square key up")});
  ctx.registerControl({
    title: "square",
    render(g) {
      for (const region of ctx.regions("testsquare")) {
        const shape = ctx.shapeAt(region.id);
        if (!shape) continue;
        const corner = ctx.toPixels(shape), scale = ctx.scale();
        g.fillStyle = "#00ff00";
        g.fillRect(corner.x, corner.y, shape.width * scale.x, shape.width * scale.x);
      }
    },
    draw(event) { this.start = ctx.pointer(event); },
    pointerup() {
      if (!this.start) return;
      const at = ctx.toPercent(this.start);
      this.start = null;
      ctx.edit(async () => ctx.select(await ctx.create({
        type: "testsquare", from_name: node.name, to_name: node.to_names[0], frame: ctx.frame,
        shape: {x: at.x, y: at.y, width: 10, height: 10, rotation: 0}})));
    },
  });
}
'''

CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoRectangle name="box" toName="video"/>
  <TestSquare name="square" toName="video"/>
</View>"""

LINE_CONFIG = """<View>
  <Video name="video" value="$video" frameRate="25"/>
  <VideoLine name="ruler" toName="video"/>
  <Labels name="labels" toName="video"><Label value="Pole" background="#ff0000"/></Labels>
</View>"""

PIXEL = """([x, y]) => {
  const overlay = document.querySelector('.stage .overlay'), ratio = window.devicePixelRatio || 1;
  return Array.from(overlay.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data);
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A host that loads the square plugin and docs/plugins.md's VideoLine example, each an
    installed distribution on its PYTHONPATH."""
    site = tmp_path_factory.mktemp("square-site")
    install(site, "testsquare", "testsquare", "testsquare_plugin", SQUARE_PY)
    (site / "testsquare.js").write_text(SQUARE_JS)
    line_module = 'from pathlib import Path\nVideoLine.module = Path(__file__).with_name("tracklabel_videoline.js")\n'
    install(site, "tracklabel_videoline", "videoline", "tracklabel_videoline",  # as pip names its folder
            example("# tracklabel_videoline.py") + line_module)
    (site / "tracklabel_videoline.js").write_text(example("// tracklabel_videoline.js"))
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), before]))
    try:
        server = PlayerServer(tmp_path_factory.mktemp("ctx"))
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    video_factory.encode(server.media / "stamped.mp4", frames=90, size=(320, 240))
    project = server.call("POST", "/api/projects", {"title": "Squares", "label_config": CONFIG})["id"]
    server.task = server.video_task(project, "stamped.mp4")
    project = server.call("POST", "/api/projects", {"title": "Lines", "label_config": LINE_CONFIG})["id"]
    server.line_task = server.video_task(project, "stamped.mp4")
    yield server
    server.stop()


def test_a_plugin_module_given_only_ctx_registers_a_kind_and_draws_it(page, server):
    open_task(page, server, server.task)
    assert page.locator("button[data-action=tool]").all_inner_texts() == ["▭ box", "square"]
    page.click("button[data-action=tool]:has-text('square')")
    stage = page.locator(".stage .overlay").bounding_box()
    page.mouse.click(stage["x"] + 400, stage["y"] + 200)
    wait_regions(page, 1)
    (region,) = page.evaluate("tracklabel.regions()")
    assert region["type"] == "testsquare" and region["value"]["sequence"][0]["width"] == 10
    assert page.evaluate("document.querySelector('.square-row').dataset.changed") == region["id"]
    assert page.evaluate(f"tracklabel.shapeAt('{region['id']}', 1)")["keyframe"] is True
    assert page.evaluate(PIXEL, [405, 205]) == [0, 255, 0, 255]  # drawn by the module
    page.click(f".region[data-region='{region['id']}'] button[data-action=hide]")
    assert page.evaluate(f"tracklabel.shapeAt('{region['id']}', 1)") is None  # the shape shown: none
    assert page.evaluate(PIXEL, [405, 205])[3] == 0
    page.click(f".region[data-region='{region['id']}'] button[data-action=hide]")
    # Details shows the kind's fields; a width in px is turned into percent of the width
    assert [t.strip() for t in page.locator(".details label").all_inner_texts()[:2]] == ["left", "side"]
    page.select_option(".details .units", "pixels")
    page.fill(".details input[name=width]", "64")
    page.press(".details input[name=width]", "Tab")
    page.wait_for_function("Math.abs(tracklabel.regions()[0].value.sequence[0].width - 20) < 1e-9")  # 64 of 320 px
    # the host's answer is in (Details shows it) before the next number is typed
    page.wait_for_function(f"Math.abs(tracklabel.shapeAt('{region['id']}', 1)?.width - 20) < 1e-9")
    page.fill(".details input[name=width]", "0")
    page.press(".details input[name=width]", "Tab")
    page.wait_for_selector(".status.error:has-text('a square needs a side')")  # the kind's check
    # the other tool still draws rectangles
    page.click("button[data-action=tool]:has-text('box')")
    page.mouse.move(stage["x"] + 50, stage["y"] + 300)
    page.mouse.down()
    page.mouse.move(stage["x"] + 120, stage["y"] + 360, steps=5)
    page.mouse.up()
    wait_regions(page, 2)
    assert sorted(r["type"] for r in page.evaluate("tracklabel.regions()")) == ["testsquare", "videorectangle"]


def test_a_tag_row_follows_the_timeline_and_a_held_key_is_released(page, server):
    open_task(page, server, server.task)
    page.click("button[data-action=timeline-zoom-in]")
    page.wait_for_function("JSON.parse(document.querySelector('.square-row').dataset.view || '{}').span === 72")
    view = page.evaluate("JSON.parse(document.querySelector('.square-row').dataset.view)")
    timeline = page.evaluate("[tracklabel.player.timeline.start, tracklabel.player.timeline.xOf(20)]")
    assert [view["start"], view["x20"]] == timeline
    rows = page.evaluate("[document.querySelector('.square-row').getBoundingClientRect().left, "
                         "document.querySelector('.timeline-canvas').getBoundingClientRect().left]")
    assert rows[0] == rows[1]  # x = 0 is the same frame in both
    page.locator(".stage .overlay").hover()
    page.keyboard.down("q")
    page.wait_for_selector(".status:has-text('square key down')")
    page.keyboard.up("q")
    page.wait_for_selector(".status:has-text('square key up')")


def test_the_documented_example_module_draws_edits_and_moves_a_line(page, server):
    open_task(page, server, server.line_task)
    page.click("button[data-label=Pole]")
    stage = page.locator(".stage .overlay").bounding_box()
    page.mouse.move(stage["x"] + 300, stage["y"] + 200)
    page.mouse.down()
    page.mouse.move(stage["x"] + 500, stage["y"] + 300, steps=5)
    page.mouse.up()
    wait_regions(page, 1)
    (region,) = page.evaluate("tracklabel.regions()")
    assert region["type"] == "videoline" and region["value"]["labels"] == ["Pole"]
    start = page.evaluate("tracklabel.player.view()")
    key = region["value"]["sequence"][0]
    assert (key["x1"], key["y1"]) == pytest.approx(((300 - start["left"]) / start["width"] * 100,
                                                    (200 - start["top"]) / start["height"] * 100))
    red = page.evaluate(PIXEL, [400, 250])  # the middle of the line, in the label's colour
    assert red[0] > 200 and red[1] < 60 and red[3] > 200
    assert [t.strip() for t in page.locator(".details label").all_inner_texts()[:4]] == ["x1", "y1", "x2", "y2"]
    page.fill(".details input[name=y2]", "50")
    page.press(".details input[name=y2]", "Tab")
    page.wait_for_function("tracklabel.regions()[0].value.sequence[0].y2 === 50")
    page.evaluate("tracklabel.seek(30)")
    end = page.evaluate("tracklabel.player.toPixels({x: tracklabel.regions()[0].value.sequence[0].x2, y: 50})")
    page.mouse.move(stage["x"] + end["x"], stage["y"] + end["y"])  # the selected line's end
    page.mouse.down()
    page.mouse.move(stage["x"] + end["x"] + 40, stage["y"] + end["y"], steps=4)
    page.mouse.up()
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    first, moved = page.evaluate("tracklabel.regions()[0].value.sequence")
    assert moved["frame"] == 30 and (moved["x1"], moved["y1"]) == pytest.approx((first["x1"], first["y1"]))
    assert moved["x2"] > first["x2"] and moved["y2"] == pytest.approx(50)
