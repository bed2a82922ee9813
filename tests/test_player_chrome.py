"""The player's chrome (issue 16) in real Chromium: the play button keeps its width."""

from browser_support import fresh_task, open_task

# The boxes of the play button and of everything after it in its bar.
FROM_PLAY = """() => {
  const play = document.querySelector('button[data-action=play]'), all = [...play.parentElement.children];
  return all.slice(all.indexOf(play)).map(e => {
    const r = e.getBoundingClientRect();
    return [e.dataset.action || e.className || e.tagName, r.x, r.y, r.width, r.height];
  });
}"""


def test_playing_moves_no_control(page, server):
    open_task(page, server, fresh_task(server))
    paused = page.evaluate(FROM_PLAY)
    page.click("button[data-action=play]")
    # measured as soon as the button shows pause (the clip may end and pause it again later)
    playing = page.wait_for_function(f"document.querySelector('button[data-action=play]').textContent === '❚❚' "
                                     f"&& ({FROM_PLAY})()").json_value()
    assert playing == paused
