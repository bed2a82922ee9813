"""The player's per-user settings follow the user to another browser: a layout, a remapped
hotkey and a hidden and a locked region set in one browser context are there in a fresh one
(empty localStorage); with the host unreachable, this browser's copy is used."""

from browser_support import PASSWORD, draw, fresh_task, wait_ready, wait_regions


def signed_in(chromium, server, task):
    """A fresh context (empty localStorage) signed in on the task's player page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/tasks/{task}")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button")
    wait_ready(page)
    page.errors = errors
    return context, page


def stored(server, key):
    return server.call("GET", f"/api/me/settings/{key}")["value"]


def test_layout_hotkeys_and_regions_follow_the_user_to_a_fresh_browser(chromium, server):
    for key in ("layout", "hotkeys"):
        server.call("PUT", f"/api/me/settings/{key}", {"value": {}})
    task = fresh_task(server)
    first, page = signed_in(chromium, server, task)
    try:
        page.evaluate("tracklabel.player.panels.moveTo('left')")
        page.click(".panel-details summary")  # collapsed
        page.evaluate("tracklabel.player.hotkeys.remap('step-forward', 'alt+n')")
        draw(page, 40, 40, 120, 100)
        draw(page, 160, 60, 230, 140)
        wait_regions(page, 2)
        hidden, locked = page.evaluate("tracklabel.regions().map(r => r.id)")
        page.evaluate(f"tracklabel.player.select({hidden!r})")
        page.keyboard.press("Alt+h")
        page.evaluate(f"tracklabel.player.select({locked!r})")
        page.keyboard.press("Alt+l")
        page.keyboard.press("Control+Enter")  # the regions themselves are saved as an annotation
        page.wait_for_selector(".status:has-text('Saved')")
        page.evaluate("""(p => Promise.all([p.panels.setting, p.hotkeys.setting, p.regionState.setting]
                                          .map(setting => setting.flush())))(tracklabel.player)""")
        assert stored(server, "layout")["side"] == "left" and stored(server, "layout")["collapsed"]["details"]
        assert stored(server, "hotkeys") == {"step-forward": "alt+n"}
        assert stored(server, f"regions:{task}") == {"hidden": [hidden], "locked": [locked]}
        assert not page.errors, page.errors
    finally:
        first.close()

    second, page = signed_in(chromium, server, task)
    try:
        page.wait_for_function("document.querySelector('.side').dataset.side === 'left'")
        assert not page.evaluate("document.querySelector('.panel-details').open")
        assert page.evaluate("tracklabel.player.hotkeys.actions.get('step-forward').combo") == "alt+n"
        assert page.evaluate("[...tracklabel.player.hidden]") == [hidden]
        assert page.evaluate("[...tracklabel.player.locked]") == [locked]
        assert page.inner_text(f".panel-regions .region[data-region='{hidden}'] [data-action=hide]") == "show"
        assert page.inner_text(f".panel-regions .region[data-region='{locked}'] [data-action=lock]") == "unlock"
        page.locator(".stage .overlay").hover()
        page.keyboard.press("Alt+n")  # the remapped key works here too
        page.wait_for_function("tracklabel.frame === 2")
        assert not page.errors, page.errors
    finally:
        second.close()
    assert stored(server, "layout")["side"] == "left"


def test_the_browsers_copy_is_used_while_the_host_cannot_be_reached(chromium, server):
    for key in ("layout", "hotkeys"):
        server.call("PUT", f"/api/me/settings/{key}", {"value": {}})
    task = fresh_task(server)
    context, page = signed_in(chromium, server, task)
    try:
        page.evaluate("tracklabel.player.panels.moveTo('left')")
        page.evaluate("tracklabel.player.panels.setting.flush()")
        assert stored(server, "layout")["side"] == "left"
        server.call("PUT", "/api/me/settings/layout", {"value": {"side": "right"}})  # changed elsewhere
        page.route("**/api/me/settings/**", lambda route: route.abort())  # the host is away for settings
        page.reload()
        wait_ready(page)
        page.evaluate("tracklabel.player.panels.loaded")
        assert page.evaluate("document.querySelector('.side').dataset.side") == "left"  # this browser's copy
        page.unroute("**/api/me/settings/**")
        page.reload()
        wait_ready(page)
        page.wait_for_function("document.querySelector('.side').dataset.side === 'right'")  # the host's again
    finally:
        context.close()
