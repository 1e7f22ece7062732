"""Per-example attribution in Chromium: click a training point, point at a weight, and read that point's own
gradient worked out in the Math region and each point's pull drawn on the plane, as CPython computes them."""
import re

import numpy as np
import pytest

from app.playground import plane
from app.playground.attribution import example_gradients
from app.playground.network_layout import layout_network
from app.playground.network_view import edge_at, edge_curve
from app.playground.run import Run
from app.playground.state import State
from app.shared.palette import NEGATIVE, POSITIVE
from tests.app.playground.test_attribution import a_lonely_training_point
from tests.app.playground.test_math_panel import NUMBER, read



def test_a_clicked_training_points_own_gradient_and_every_points_pull_are_the_engines(open_site, page_errors):
    page = open_site()
    page.get_by_role("button", name="Reset").click()  # epoch 0 and paused: the weights the seed gives CPython too
    page.wait_for_function("document.querySelector('#epoch').textContent === '0'")
    run = Run(State())
    gradients = example_gradients(run)
    example = a_lonely_training_point(run)
    output = page.get_by_label("Output", exact=True)
    width, height = output.evaluate("c => [c.clientWidth, c.clientHeight]")
    x, y = plane.to_plane(run.X_train[example], width, height)
    output.click(position={"x": float(x), "y": float(y)})
    page.wait_for_function(f"document.querySelector('#network-note').textContent.startsWith('Training point {example + 1} ')")

    network = page.get_by_label("Network", exact=True)
    layout = layout_network(run.layer_sizes(), *network.evaluate("c => [c.clientWidth, c.clientHeight]"))
    start, c1, c2, end = (np.array(p) for p in edge_curve(*layout.centres[1][0], *layout.centres[2][1], layout.radius))
    # A quarter along hidden 1, neuron 1 -> hidden 2, neuron 2 (the Bezier at t = 0.25), clear of where edges cross.
    ex, ey = 0.421875 * start + 0.421875 * c1 + 0.140625 * c2 + 0.015625 * end
    edge = edge_at(layout, [w.data for w in run.weights], ex, ey)
    assert edge is not None
    page.mouse.move(0, 0)
    network.click(position={"x": float(ex), "y": float(ey)})
    page.keyboard.press("Escape")  # the weight editor a click opens
    page.wait_for_function("document.querySelector('#math').textContent.includes('alone (its own loss')")
    text = page.get_by_role("region", name="Math", exact=True).inner_text()
    rule = re.search(rf"\u2202L\u1d62/\u2202w = .* = ({NUMBER})\n", text)
    assert read(rule[1]) == pytest.approx(gradients.of_weight(*edge)[example], rel=1e-3, abs=1e-9)
    mean = re.search(rf"over all {len(run.X_train)} training points = ({NUMBER})", text)
    assert read(mean[1]) == pytest.approx(gradients.of_weight(*edge).mean(), rel=1e-3, abs=1e-9)

    # The plane: a point is drawn in its pull's colour, not its label's; read where the two differ.
    pulls = gradients.of_weight(*edge)
    differs = np.sign(pulls) != 2 * run.y_train - 1
    strongest = int(np.argmax(np.where(differs, np.abs(pulls), -1.0)))
    sx, sy = plane.to_plane(run.X_train[strongest], width, height)
    page.mouse.move(0, 0)
    page.wait_for_function("document.querySelector('#pull-key').textContent.includes('\u2202L\u1d62/\u2202w')")
    colour = output.evaluate("""(canvas, [x, y]) => {
        const ratio = canvas.width / canvas.clientWidth;
        return Array.from(canvas.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data)
    }""", [sx + 1, sy + 1])  # inside its disc, off the crosshair's lines
    expected = POSITIVE if pulls[strongest] > 0 else NEGATIVE
    assert np.abs(np.subtract(colour[:3], expected)).max() <= 3, (colour, expected)
    assert page_errors == []
