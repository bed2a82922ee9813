"""The player in real Chromium against a real `tracklabel serve`: drawing, moving and the
interpolated box, lifespans, hotkeys, saving with conflicts, drafts, and frame accuracy on
stamped videos (every frame shows its own index)."""

import random

import pytest

from browser_support import CONFIG, draw, fresh_task, go, open_task, settle, wait_ready, wait_regions

READ_STAMP = """() => {
  const video = document.querySelector('.stage video');
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  const g = canvas.getContext('2d');
  g.drawImage(video, 0, 0);
  const {data, width, height} = g.getImageData(0, 0, canvas.width, canvas.height);
  const bits = 16, block = Math.floor(width / bits);
  let value = 0;
  for (let b = 0; b < bits; b++) {
    let sum = 0, n = 0;
    for (let y = Math.floor(height / 4) + 2; y < Math.floor(3 * height / 4) - 2; y++)
      for (let x = b * block + 2; x < (b + 1) * block - 2; x++) {
        const i = (y * width + x) * 4; sum += (data[i] + data[i + 1] + data[i + 2]) / 3; n++;
      }
    value = value * 2 + (sum / n > 128 ? 1 : 0);
  }
  return value;
}"""

# A loaded machine: the browser reports each presented frame 2.5 s late (in order), longer than
# any timer the player might be tempted to wait on instead.
LATE_PRESENTATION = """(() => {
  const request = HTMLVideoElement.prototype.requestVideoFrameCallback;
  HTMLVideoElement.prototype.requestVideoFrameCallback = function (callback) {
    return request.call(this, (now, metadata) => setTimeout(() => callback(now, metadata), 2500));
  };
})();"""


def on_screen(page):
    """The player's frame, the readout and the frame the picture shows, read at one moment."""
    frame, readout, stamp = page.evaluate(
        f"[tracklabel.frame, document.querySelector('.frame-input').value, ({READ_STAMP})()]")
    return frame, int(readout), stamp + 1


def test_draw_move_save_and_the_interpolated_box(page, server):
    task = fresh_task(server)
    open_task(page, server, task)
    page.click("button[data-label=Man]")
    draw(page, 300, 200, 400, 300)
    wait_regions(page, 1)
    page.fill(".frame-input", "30")
    page.press(".frame-input", "Enter")
    page.wait_for_function("tracklabel.frame === 30")
    region = page.evaluate("tracklabel.regions()[0]")
    before = page.evaluate(f"tracklabel.boxAt('{region['id']}', 30)")
    draw(page, 350, 250, 450, 290)  # drag the box by (100, 40) px
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    (saved,) = annotation["result"]
    first, moved = saved["value"]["sequence"]
    assert (first["frame"], moved["frame"]) == (1, 30) and saved["value"]["labels"] == ["Man"]
    assert moved["x"] > first["x"] and moved["y"] > first["y"] and moved["x"] == pytest.approx(before["x"] + (moved["x"] - before["x"]))
    tracks = server.call("GET", f"/api/annotations/{annotation['id']}/tracks?from=15&to=15")
    (track,) = tracks["regions"]
    ratio = 14 / 29
    assert track["x"][0] == pytest.approx(first["x"] + (moved["x"] - first["x"]) * ratio)
    go(page, 15)
    on_screen = page.evaluate(f"tracklabel.boxAt('{region['id']}', 15)")
    assert on_screen["x"] == track["x"][0] and on_screen["y"] == track["y"][0]
    assert on_screen["keyframe"] is False


def test_a_task_with_a_prediction_starts_from_it_and_submit_makes_it_an_annotation(page, server):
    task = fresh_task(server)
    predicted = {"id": "p1", "type": "videorectangle", "from_name": "box", "to_name": "video",
                 "value": {"labels": ["Woman"], "sequence": [
                     {"frame": 1, "x": 20, "y": 20, "width": 10, "height": 10, "rotation": 0, "enabled": True}]}}
    prediction = server.call("POST", f"/api/tasks/{task}/annotations", {"kind": "prediction", "result": [predicted]})
    open_task(page, server, task)
    wait_regions(page, 1)
    page.wait_for_selector(f".status:has-text('Started from prediction {prediction['id']}')")
    assert page.evaluate("tracklabel.boxAt('p1', 1)")["x"] == pytest.approx(20)
    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    kinds = sorted((a["kind"], [r["id"] for r in a["result"]]) for a in server.call("GET", f"/api/tasks/{task}/annotations"))
    assert kinds == [("annotation", ["p1"]), ("prediction", ["p1"])]


def test_cut_the_lifespan_and_the_box_vanishes(page, server):
    open_task(page, server, fresh_task(server))
    draw(page, 100, 100, 200, 200)
    wait_regions(page, 1)
    rid = page.evaluate("tracklabel.regions()[0].id")
    go(page, 40)
    draw(page, 150, 150, 180, 160)  # move: a second keyframe at 40
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    go(page, 20)
    assert page.evaluate(f"tracklabel.boxAt('{rid}', 20)") is not None
    page.click("button[data-action=toggle-interpolation]")
    page.wait_for_function(f"tracklabel.boxAt('{rid}', 20) === null")
    assert page.evaluate(f"tracklabel.boxAt('{rid}', 1)") is not None  # the keyframe itself stays
    assert page.evaluate(f"tracklabel.boxAt('{rid}', 40)") is not None  # and the next one starts again
    page.click("button[data-action=toggle-interpolation]")
    page.wait_for_function(f"tracklabel.boxAt('{rid}', 20) !== null")


def test_hotkeys_step_and_hop(page, server):
    open_task(page, server, server.tasks["stamped.mp4"])
    page.locator(".stage .overlay").hover()
    for _ in range(3):
        page.keyboard.press("Alt+ArrowRight")
    page.wait_for_function("tracklabel.frame === 4")
    page.keyboard.press("Shift+Alt+ArrowRight")
    page.wait_for_function("tracklabel.frame === 14")
    page.keyboard.press("Alt+ArrowLeft")
    page.wait_for_function("tracklabel.frame === 13")
    assert page.input_value(".frame-input") == "13"
    assert page.input_value("input.time") == "0:00.480"  # frame 13 starts at 12/25 s
    page.fill("input.time", "0:02.01")
    page.press("input.time", "Tab")
    page.wait_for_function("tracklabel.frame === 51")  # 2.01 s falls in frame 51 (2.00-2.04 s)


@pytest.mark.parametrize("name", ["stamped.mp4", "stamped.webm", "stamped-vfr.mp4", "stamped-late.mp4"])
def test_the_frame_shown_is_the_frame_the_readout_names(page, server, name):
    """H.264 with B-frames, VP9, variable-rate H.264 and a file that starts at 2.5 s."""
    open_task(page, server, server.tasks[name])
    count = page.evaluate("tracklabel.framesCount")
    rng = random.Random(7)

    def check(shown):
        # once a seek has settled, the readout names the frame it reports, and so does the picture
        assert on_screen(page) == (shown, shown, shown)

    check(1)
    for _ in range(25):
        check(go(page, rng.randint(1, count)))
    target = page.evaluate("tracklabel.player.target")
    for delta in (1, 1, -1, 10, -10, 1):
        page.keyboard.press({1: "Alt+ArrowRight", -1: "Alt+ArrowLeft", 10: "Shift+Alt+ArrowRight",
                             -10: "Shift+Alt+ArrowLeft"}[delta])
        target = min(max(target + delta, 1), count)
        check(settle(page, target))
    go(page, 1)
    draw(page, 200, 100, 260, 160)
    wait_regions(page, 1)
    keys = (17, count * 2 // 3, count - 2)
    for frame in keys:
        assert go(page, frame) == frame
        page.click("button[data-action=toggle-keyframe]")
        page.wait_for_function(f"tracklabel.regions()[0].value.sequence.some(k => k.frame === {frame})")
    go(page, 1)
    for expected in keys:
        page.click("button[data-action=next-key]")
        assert settle(page, expected) == expected
        check(expected)


def test_a_late_presentation_still_shows_and_edits_the_frame_asked_for(page, server):
    """On a busy machine the browser reports presented frames late: a seek settles only when the
    frame is presented, a seek asked for while the player starts is not undone by its start, and
    an edit lands on the frame asked for (the keyframe toggle once landed on the frame before)."""
    page.add_init_script(LATE_PRESENTATION)
    page.goto(f"{server.url}/tasks/{server.tasks['stamped-vfr.mp4']}")
    page.wait_for_function("window.tracklabel")  # usable, still starting
    assert go(page, 30) == 30
    wait_ready(page)
    assert on_screen(page) == (30, 30, 30)
    draw(page, 200, 100, 260, 160)
    wait_regions(page, 1)
    for frame in (17, 60):
        assert go(page, frame) == frame
        assert on_screen(page) == (frame, frame, frame)
        page.click("button[data-action=toggle-keyframe]")
        page.wait_for_function(f"tracklabel.regions()[0].value.sequence.some(k => k.frame === {frame})")
    assert [k["frame"] for k in page.evaluate("tracklabel.regions()[0].value.sequence")] == [17, 30, 60]


def test_a_stale_save_is_told_and_can_overwrite(page, server):
    task = fresh_task(server)
    open_task(page, server, task)
    draw(page, 100, 100, 200, 200)
    wait_regions(page, 1)
    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    server.call("PUT", f"/api/annotations/{annotation['id']}", {"result": [], "version": 1})
    go(page, 10)
    draw(page, 120, 120, 140, 130)
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    # a save clears what the last one said at once, so waiting for "Saved" waits for this one
    status = page.evaluate("() => { tracklabel.player.save(); return document.querySelector('.status').textContent; }")
    assert status == "Saving…"
    page.wait_for_selector("dialog.conflict")
    assert "version 2" in page.inner_text("dialog.conflict")
    page.click("dialog.conflict button:has-text('Overwrite')")
    page.wait_for_selector(".status:has-text('Saved')")
    stored = server.call("GET", f"/api/annotations/{annotation['id']}")
    assert stored["version"] == 3 and len(stored["result"][0]["value"]["sequence"]) == 2


def test_unsaved_work_survives_a_reload(page, server):
    task = fresh_task(server)
    open_task(page, server, task)
    draw(page, 100, 100, 200, 200)
    wait_regions(page, 1)
    page.reload()
    page.wait_for_function("window.tracklabel && tracklabel.regions().length === 1", timeout=30000)
    assert "Restored unsaved work" in page.inner_text(".status")
    assert server.call("GET", f"/api/tasks/{task}/annotations") == []


def test_impossible_numbers_are_refused(page, server):
    open_task(page, server, fresh_task(server))
    draw(page, 100, 100, 200, 200)
    wait_regions(page, 1)
    page.fill(".details input[name=width]", "-5")
    page.press(".details input[name=width]", "Tab")  # leaving the field commits it
    page.wait_for_selector(".status.error:has-text('width and height must be positive')")
    assert page.evaluate("tracklabel.regions()[0].value.sequence[0].width") > 0


def test_a_host_that_goes_away_loses_nothing(page, server):
    task = fresh_task(server)
    open_task(page, server, task)
    page.route("**/api/**", lambda route: route.abort())  # the host is gone
    draw(page, 100, 100, 200, 200)
    page.wait_for_selector(".status:has-text('unreachable')")
    draft = page.evaluate(f"JSON.parse(localStorage.getItem('tracklabel:task:{task}'))")
    assert len(draft["result"]) == 1  # kept in the browser meanwhile
    page.unroute("**/api/**")  # it is back: the retried request goes through
    page.wait_for_selector(".status:has-text('Connected again')", timeout=30000)
    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    assert annotation["result"][0]["value"]["sequence"][0]["frame"] == 1


def test_track_forward_from_the_player_and_undo(page, server):
    import scenes

    scene = scenes.make_scene(frames=60, size=(320, 180), seed=3, scale=(1.0, 1.2))
    scenes.write_video(scene, server.media / "scene.mp4")
    project = server.call("POST", "/api/projects", {"title": "Track", "label_config": CONFIG})["id"]
    open_task(page, server, server.video_task(project, "scene.mp4"))
    other = page.evaluate("tracklabel.player.toPixels({x: 85, y: 80, width: 10, height: 15})")
    draw(page, other["x"], other["y"], other["x"] + other["width"], other["y"] + other["height"])
    wait_regions(page, 1)
    x, y, w, h = scene.boxes[0]
    corner = page.evaluate(f"tracklabel.player.toPixels({{x: {x / 3.2}, y: {y / 1.8}, width: {w / 3.2}, height: {h / 1.8}}})")
    draw(page, corner["x"], corner["y"], corner["x"] + corner["width"], corner["y"] + corner["height"])
    wait_regions(page, 2)
    with page.expect_request(lambda r: r.url.endswith("/track") and r.method == "POST") as asked:
        page.click("button[data-action=track-forward]")
    rid = page.evaluate("tracklabel.regions()[1].id")
    sent = asked.value.post_data_json
    assert sent["region"] == rid and [r["id"] for r in sent["result"]] == [rid]  # that region only
    page.wait_for_selector(".status:has-text('Tracked')", timeout=60000)
    sequence = page.evaluate("tracklabel.regions()[1].value.sequence")
    assert sequence[0]["frame"] == 1 and "auto" not in sequence[0]
    assert any(k.get("auto") for k in sequence[1:]) and len(sequence) < 30  # a handful, not one per frame
    go(page, 40)
    box = page.evaluate(f"tracklabel.boxAt('{rid}', 40)")
    truth = scene.boxes[39]
    got = (box["x"] * 3.2, box["y"] * 1.8, box["width"] * 3.2, box["height"] * 1.8)
    left, top = max(got[0], truth[0]), max(got[1], truth[1])
    right, bottom = min(got[0] + got[2], truth[0] + truth[2]), min(got[1] + got[3], truth[1] + truth[3])
    inter = max(0, right - left) * max(0, bottom - top)
    assert inter / (got[2] * got[3] + truth[2] * truth[3] - inter) > 0.5
    page.click("button[data-action=undo]")
    page.wait_for_function("tracklabel.regions()[1].value.sequence.length === 1")


# Holds the host's (real) answer to the next METHOD request to a path ending in PATH until
# `deliverHeld()` is called: the page gets it late, in an order the test chooses, whatever the
# machine's speed.
HOLD_NEXT_ANSWER = """([method, path]) => {
  const api = tracklabel.player.api, request = api.request.bind(api);
  let deliver, holding = true;
  const gate = new Promise(resolve => { deliver = resolve; });
  api.request = (m, url, ...rest) => {
    const answer = request(m, url, ...rest);
    if (!holding || m !== method || !url.split("?")[0].endsWith(path)) return answer;
    holding = false;
    return gate.then(() => answer);
  };
  window.deliverHeld = deliver;
}"""


def test_an_answer_that_arrives_after_a_newer_one_is_not_shown(page, server):
    """The host's boxes after an edit can arrive after those of a later edit: the older answer
    must not replace the newer boxes (it is asked again for the regions as they are now)."""
    open_task(page, server, fresh_task(server))
    draw(page, 100, 100, 200, 200)
    wait_regions(page, 1)
    page.evaluate(HOLD_NEXT_ANSWER, ["POST", "/tracks"])
    shown = page.evaluate("""async () => {
      const player = tracklabel.player, id = tracklabel.regions()[0].id;
      await tracklabel.seek(20);
      const cut = player.toggleInterpolation();  // its boxes (none at 20) are held
      await player.toggleInterpolation();  // restored: the box at 20 is back
      window.deliverHeld();  // the older answer arrives last
      await cut;
      return [tracklabel.regions()[0].value.sequence[0].enabled, tracklabel.boxAt(id, 20) !== null];
    }""")
    assert shown == [True, True]


def test_an_edit_made_while_saving_is_kept(page, server):
    """The save's answer (the regions as sent) must not replace an edit made while it was on
    its way: the edit stays, unsaved, for the next save."""
    task = fresh_task(server)
    open_task(page, server, task)
    draw(page, 100, 100, 200, 200)
    wait_regions(page, 1)
    page.evaluate(HOLD_NEXT_ANSWER, ["POST", "/annotations"])
    kept = page.evaluate("""async () => {
      const player = tracklabel.player;
      const saving = player.store.save();  // its answer is held
      await tracklabel.seek(20);
      await player.toggleKeyframe();  // a second keyframe while the first save is on its way
      window.deliverHeld();
      await saving;
      return [tracklabel.regions()[0].value.sequence.length, player.store.dirty];
    }""")
    assert kept == [2, True]
    page.click("button[data-action=save]")
    page.wait_for_selector(".status:has-text('Saved')")
    (annotation,) = server.call("GET", f"/api/tasks/{task}/annotations")
    assert len(annotation["result"][0]["value"]["sequence"]) == 2
