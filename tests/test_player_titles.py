"""Button titles come from the one table of hotkeys: a remapped key shows at once in the
button's title and in the `?` list."""

from browser_support import fresh_task, open_task


def test_a_remapped_key_shows_in_the_title_and_in_the_list(page, server):
    open_task(page, server, fresh_task(server))
    button = "button[data-action=step-forward]"
    assert page.get_attribute(button, "title") == "one frame forward (alt+arrowright)"
    assert page.get_attribute("button[data-action=save]", "title") == "submit / update (ctrl+enter)"
    page.keyboard.press("?")
    page.wait_for_selector("dialog.hotkeys[open]")
    field = page.locator("dialog.hotkeys input[data-action=step-forward]")
    field.click()
    page.keyboard.press("Alt+n")
    assert page.get_attribute(button, "title") == "one frame forward (alt+n)"  # while the list is open
    page.click("dialog.hotkeys button")
    page.click("button[data-action=help]")  # the list again
    page.wait_for_selector("dialog.hotkeys[open]")
    assert field.input_value() == "alt+n"
    assert "one frame forward" in page.inner_text("dialog.hotkeys")
    field.click()
    page.keyboard.press("Alt+ArrowRight")  # back to the default, for the tests after this one
    assert page.get_attribute(button, "title") == "one frame forward (alt+arrowright)"
