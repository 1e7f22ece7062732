"""The Diagnostics panel on the playground: the per-layer table, the alerts, the histograms and Check gradients."""
import numpy as np

from app.shared.palette import to_oklab
from tests.app.fake_page import FakePage


def test_the_diagnostics_panel_fills_its_table_and_warns_of_vanishing_gradients(opened):
    playground, page = opened("#activation=sigmoid&hidden=8,8,8,8,8,8,8,8")
    for t in range(40):
        playground.frame(t * 16.0)
        if page.built.get("alerts"):
            break
    playground.act("toggle")
    playground.paint(1e6)
    header, *rows = [[cell.text for cell in row.children] for row in page.built["layer-stats"]]
    assert header[0] == "Layer" and len(rows) == 9 and rows[-1][0] == "the output layer"
    stats = playground.monitor.latest
    assert rows[0][1].startswith(f"{stats.weight_gradient[0, 4]:.3g}")  # the table shows the monitor's numbers
    alerts = [item.text for item in page.built["alerts"]]
    assert any(alert.startswith("Vanishing gradients") and "Use ReLU" in alert for alert in alerts)
    assert page.canvases["histograms"].context.named("fill")  # bars were drawn


def test_check_gradients_compares_the_engine_with_finite_differences(opened):
    playground, page = opened()
    playground.act("check-gradients")
    text = page.texts["gradient-check"]
    assert "they agree" in text
    largest = float(text.split(": ")[1].split(";")[0])
    assert largest < 1e-5


def test_each_heading_says_what_healthy_looks_like_and_unhealthy_cells_say_so_in_words(opened):
    playground, page = opened("#activation=sigmoid&hidden=8,8,8,8,8,8,8,8")
    for t in range(40):
        playground.frame(t * 16.0)
    playground.act("toggle")
    playground.paint(1e6)
    header, *rows = page.built["layer-stats"]
    headings = [th.text for th in header.children]
    assert "update / weighthealthy: about 0.001 (0.0001 to 0.01)" in headings
    assert "deadhealthy: 0\u201350%" in headings and "saturatedhealthy: 0\u201350%" in headings
    vanishing = next(alert for alert in playground.monitor.latest.alerts if alert.kind == "vanishing")
    marked = [row for row, tr in enumerate(rows) if tr.children[1].attributes.get("class") == "unhealthy"]
    assert marked == sorted(vanishing.layers) and marked   # the norm column agrees with the warning
    assert all(rows[row].children[1].text.endswith(" too low") for row in marked)
    healthy = [tr.children[1] for row, tr in enumerate(rows) if row not in marked]
    assert healthy and all("too" not in td.text and "class" not in td.attributes for td in healthy)


def trained(dark, fragment="#hidden=4,4,4"):
    """A page whose playground trained 30 epochs, paused and painted its diagnostics, in a theme."""
    from app.playground.controller import Playground
    page = FakePage(dark=dark)
    playground = Playground(page, fragment)
    for t in range(30):
        playground.frame(t * 16.0)
    playground.act("toggle")
    playground.paint(1e6)
    return playground, page


def lightness(css):
    r, g, b = (int(v) for v in css[4:-1].split(","))
    return float(to_oklab([(r, g, b)])[0, 0])


def test_the_timeline_has_axes_and_in_dark_mode_lines_told_apart_by_lightness_dash_and_name():
    playground, page = trained(dark=True)
    context = page.canvases["timeline"].context
    texts = [args[0] for args in context.named("fillText")]
    assert {"10\u207b\u2078", "10\u207b\u00b3", "10\u00b2"} <= set(texts)   # the y axis, powers of ten
    assert "epoch 1" in texts and f"epoch {playground.run.epoch}" in texts  # the x axis
    assert texts[-4:] == ["hidden 1", "hidden 2", "hidden 3", "output"]   # each line named at its end
    colours = [colour for colour in context.assigned("strokeStyle")][-4:]
    shades = [lightness(colour) for colour in colours]
    assert abs(shades[-1] - shades[0]) > 0.3 and len(set(colours)) == 4
    assert np.all(np.diff(shades) > 0.05)   # each layer a step lighter than the one before
    dashes = [tuple(args[0]) for args in context.named("setLineDash")][:4]
    assert len(set(dashes)) == 4 and dashes[0] == ()


def test_the_histograms_label_their_x_axes_and_what_bar_height_is():
    playground, page = trained(dark=False)
    calls = page.canvases["histograms"].context.calls
    last = max(i for i, (name, _) in enumerate(calls) if name == "fillRect")   # the latest painting
    texts = [args[0] for name, args in calls[last:] if name == "fillText"]
    assert "bar height: count" in texts
    assert {"\u22123", "0", "3", "10\u207b\u2078", "10\u00b2"} <= set(texts)   # weights and log10 |gradient|
    assert texts.count("\u22121") == 3 and texts.count("\u22124") == 1  # tanh layers, then the output's logits
