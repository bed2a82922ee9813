"""A frame step in real Chromium redraws the canvases and the readouts' values, and writes
nothing else to the page: text written again unchanged makes the browser lay the page out once
more at the next read of a size, which doubled the median frame step of `bench/player.py`
(200 tracks: 7 ms to 15 ms) when the timeline's span label was written on every frame."""

from browser_support import draw, fresh_task, go, open_task, wait_regions

RECORD = """() => {
  window.__mutations = [];
  window.__drawn = [];
  const name = node => (node.nodeType === 1 ? node : node.parentElement)?.className || node.nodeName;
  new MutationObserver(records => {
    for (const r of records) window.__mutations.push(`${r.type} ${r.attributeName || ''} on ${name(r.target)}`);
  }).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  tracklabel.on('drawn', frame => window.__drawn.push(frame));
}"""


def step_through(page, frames):
    """Present each frame in turn; the page's mutation records meanwhile."""
    page.evaluate(RECORD)
    for frame in frames:
        assert go(page, frame) == frame
        page.wait_for_function(f"window.__drawn.includes({frame})")
    return page.evaluate("window.__mutations")


def test_stepping_between_keyframes_writes_nothing_but_the_canvases(page, server):
    open_task(page, server, fresh_task(server))
    page.click("button[data-label=Man]")
    draw(page, 200, 100, 330, 160)
    wait_regions(page, 1)
    go(page, 30)
    draw(page, 300, 150, 430, 210)  # a second keyframe: the frames between are interpolated
    page.wait_for_function("tracklabel.regions()[0].value.sequence.length === 2")
    go(page, 10)
    page.wait_for_function("document.querySelector('.details .kind')?.textContent === 'interpolated'")
    assert step_through(page, range(11, 16)) == []  # a selected region: Details shows its numbers
    page.evaluate("tracklabel.selectRegion(null)")
    assert step_through(page, range(16, 21)) == []


def test_nothing_but_the_overlay_and_a_message_is_over_the_video(page, server):
    """An element over the video, however small (the zoom level was a badge there), cost every
    frame step 1-2 ms in bench/player.py: the readouts are in the bars under it."""
    open_task(page, server, fresh_task(server))
    page.wait_for_function("document.querySelector('.view-controls .zoom-level')?.textContent.endsWith('%')")
    over = page.evaluate("[...document.querySelector('.stage').children].map(e => `${e.localName}.${e.classList[0] ?? ''}`)")
    assert sorted(over) == ["canvas.overlay", "div.status", "video."]
    assert page.text_content(".timeline-head .timeline-span").startswith("frames 1–")
