"""The Race room in Chromium: choose what B changes, start the race, stop it, and read two runs that trained
exactly as CPython trains each alone."""
import re
from dataclasses import replace

from app.playground.run import Run
from app.playground.state import decode


def test_a_race_trains_both_runs_as_cpython_does_and_draws_them(open_site, page_errors):
    page = open_site("#v=1&dataset=xor&room=race")
    page.get_by_label("Setting B changes", exact=True).select_option("optimizer")
    page.get_by_label("B's value", exact=True).select_option("adam")
    page.wait_for_function("location.hash.includes('race=optimizer:adam')")
    page.get_by_role("button", name="Start the race", exact=True).click()
    page.wait_for_function("/epoch ([2-9]\\d|\\d{3,})/.test(document.querySelector('#race-b-numbers').textContent)")
    page.get_by_role("button", name="Stop the race", exact=True).click()
    page.wait_for_function("document.querySelector('#race-toggle').textContent === 'Start the race'")
    page.wait_for_timeout(300)  # the frame after it stopped paints the numbers where the race stands
    a_words, b_words = page.text_content("#race-a-numbers"), page.text_content("#race-b-numbers")
    epoch = int(re.search(r"epoch (\d+)", a_words)[1])
    assert f"epoch {epoch}," in b_words
    state = decode("#v=1&dataset=xor").state
    for words, settings in ((a_words, state), (b_words, replace(state, optimizer="adam"))):
        run = Run(settings)
        for _ in range(epoch):
            run.train_epoch()
        train, test, _, accuracy = run.history[-1]
        assert f"training loss {train:.3f}, test loss {test:.3f}, test accuracy {100 * accuracy:.1f}%" in words
    for name in ("Run A's output", "Run B's output", "Both runs' training and test losses, one point per epoch"):
        canvas = page.get_by_label(name, exact=True)
        assert canvas.evaluate("c => c.width > 0 && c.height > 0 && c.getContext('2d') !== null"), name
    assert page_errors == []
