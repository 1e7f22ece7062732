"""A lesson in Chromium, as a learner takes it: open it from Start here, do its first step with the real
controls and see it move on; reload and find the progress kept in the lessons list; forget it."""
from playwright.sync_api import expect


def test_a_done_step_moves_the_lesson_on_and_its_progress_outlives_a_reload(open_site, page, page_errors, artifacts):
    open_site()
    page.locator('a[href="#preset=xor-hidden"]').click()
    step = page.locator("#lesson-step")
    expect(step).to_contain_text("Step 1 of 3")
    expect(step).to_contain_text("Not yet: the network still has no hidden layer.")
    progress = page.locator("#progress-xor-hidden")
    expect(progress).to_have_text("")
    forget = page.get_by_role("button", name="Forget progress", exact=True)
    expect(forget).to_be_hidden()

    page.get_by_role("button", name="Add a hidden layer", exact=True).click()
    expect(step).to_contain_text("Step 2 of 3")
    expect(progress).to_have_text("1/3")
    assert page.evaluate("location.hash").endswith("&preset=xor-hidden&step=2")
    page.screenshot(path=artifacts / "lessons-step-two.png")
    box = step.bounding_box()
    assert box["y"] + box["height"] <= 800 and page.get_by_label("Output", exact=True).bounding_box()["y"] < 800

    page.reload()  # the page's own link reopens the step; the list remembers what was done
    page.wait_for_function("document.body.dataset.state === 'ready'")
    # Step 2 (train to 90%) may pass within moments of the reload: then the lesson is on step 3 already.
    page.get_by_role("button", name="Pause", exact=True).click()
    shown = step.locator("strong").text_content()
    assert shown in ("Step 2 of 3", "Step 3 of 3")
    expect(progress).to_have_text(f"{int(shown[5]) - 1}/3")
    page.get_by_role("button", name="Back", exact=True).click()  # back to a done step: it waits for the learner
    expect(step).to_contain_text(f"Step {int(shown[5]) - 1} of 3")
    expect(step).to_contain_text("Done. Press Skip to go on.")

    forget.click()
    expect(progress).to_have_text("")
    expect(forget).to_be_hidden()
    assert page.evaluate("localStorage.getItem('gradcanvas:lessons')") == "{}"
    assert page_errors == []
