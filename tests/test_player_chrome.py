"""The player's chrome (issue 16) in real Chromium: the play button keeps its width, and every
transport button names its hotkey (a remapped one too) on hover and in `?`."""

from browser_support import fresh_task, open_task, settle

# The transport bar's buttons, each with its hotkey.
TRANSPORT = ("first", "hop-back", "prev-key", "step-back", "play", "step-forward", "next-key", "hop-forward",
             "last", "toggle-keyframe", "toggle-interpolation", "track-backward", "track-forward", "save")

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


def title_combo(page, name):
    return page.evaluate(f"[document.querySelector('button[data-action={name}]').title, "
                         f"tracklabel.player.hotkeys.actions.get('{name}')?.combo]")


def test_transport_buttons_show_their_hotkeys_on_hover_and_in_help(page, server):
    open_task(page, server, fresh_task(server))
    for name in TRANSPORT:
        title, combo = title_combo(page, name)
        assert combo and title.endswith(f"({combo})"), (name, title, combo)
    page.keyboard.press("?")
    page.wait_for_selector("dialog.hotkeys[open]")
    for name in TRANSPORT:
        assert page.input_value(f"dialog.hotkeys input[data-action={name}]") == title_combo(page, name)[1]
    assert page.inner_text("dialog.hotkeys th").strip() == "Video"  # the transport comes first, under a heading
    page.locator("dialog.hotkeys input[data-action=last]").click()
    page.keyboard.press("Alt+e")  # remapped: the title follows
    assert title_combo(page, "last") == ["last frame (alt+e)", "alt+e"]
    page.click("dialog.hotkeys button")
    page.locator(".stage .overlay").hover()
    page.keyboard.press("Alt+e")
    assert settle(page, 90) == 90
    page.keyboard.press("Home")  # the first frame's key
    assert settle(page, 1) == 1
