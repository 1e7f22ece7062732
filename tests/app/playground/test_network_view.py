"""The network painter, checked through what it asks the canvas to draw."""
import numpy as np
import pytest
from tests.app.canvas_recorder import RecordingContext

from app.playground.network_layout import layout_network
from app.playground.network_view import MAX_EDGE_WIDTH, EdgeCurves, edge_width, group_edges, paint_network
from app.shared.palette import DARK, LIGHT, readable_text


def test_the_recorder_rejects_what_a_real_context_lacks():
    ctx = RecordingContext()
    with pytest.raises(AttributeError):
        ctx.drawCircle(0, 0, 1)
    with pytest.raises(AttributeError):
        ctx.fillColour = "red"


def test_layout_keeps_every_neuron_inside_the_canvas_and_layers_in_order():
    for sizes, (width, height) in [([2, 4, 4, 1], (900, 400)), ([7, 8, 8, 8, 8, 8, 8, 1], (375, 300))]:
        layout = layout_network(sizes, width, height)
        r = layout.radius
        for centres, n in zip(layout.centres, sizes):
            assert len(centres) == n
            assert (centres[:, 0] - r >= 0).all() and (centres[:, 0] + r <= width).all()
            assert (centres[:, 1] - r >= 0).all() and (centres[:, 1] + r <= height).all()
        xs = [c[0, 0] for c in layout.centres]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
        # neighbours in a layer never overlap
        for centres in layout.centres:
            assert (np.diff(centres[:, 1]) >= 2 * r).all()


def test_layout_rejects_a_network_without_layers():
    with pytest.raises(ValueError, match="two layers"):
        layout_network([3], 100, 100)


def test_edge_width_grows_with_the_weight_and_is_capped():
    widths = [edge_width(w) for w in (0.0, 0.3, 1.0, 2.0, 3.0, 50.0)]
    assert widths == sorted(widths) and widths[0] > 0
    assert widths[-1] == widths[-2] == MAX_EDGE_WIDTH
    assert edge_width(-2.0) == edge_width(2.0)


def test_edges_are_grouped_by_sign_and_width_and_each_drawn_once():
    rng = np.random.default_rng(0)
    sizes = [2, 4, 4, 1]
    weights = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    layout = layout_network(sizes, 800, 400)
    groups = group_edges(weights)
    everyone = np.sort(np.concatenate(list(groups.values())))
    assert np.array_equal(everyone, np.arange(2 * 4 + 4 * 4 + 4 * 1))
    segments = EdgeCurves(layout).segments
    for (positive, width), edges in groups.items():
        values = np.concatenate([w.ravel() for w in weights])[edges]
        assert ((values >= 0) == positive).all() and all(edge_width(v) == width for v in values)
    # the edge from input neuron 1 to hidden neuron 3 carries weights[0][3, 1]
    w = weights[0][3, 1]
    x0, y0 = layout.centres[0][1]
    x1, y1 = layout.centres[1][3]
    assert any(np.array_equal(row, (x0, y0, x1, y1)) for row in segments[groups[(w >= 0, edge_width(w))]])
    # and in the last layer, the edge from hidden neuron 2 to the output carries weights[2][0, 2]
    w = weights[2][0, 2]
    last = 2 * 4 + 4 * 4 + 2
    assert np.array_equal(segments[last], (*layout.centres[2][2], *layout.centres[3][0]))
    assert last in groups[(w >= 0, edge_width(w))]


def test_hidden_and_non_finite_edges_are_left_out():
    weights = [np.array([[1.0, np.nan], [-2.0, np.inf]])]
    shown = [np.array([[True, True], [False, True]])]
    assert {key: edges.tolist() for key, edges in group_edges(weights, shown).items()} == {(True, edge_width(1.0)): [0]}
    assert group_edges([np.full((2, 2), np.nan)]) == {}


def test_painting_strokes_one_path_per_group_in_the_sign_colour_and_fills_neurons_by_value():
    sizes = [2, 3, 1]
    weights = [np.array([[1.0, -1.0], [2.0, 0.1], [-3.0, 0.5]]), np.array([[0.7, -0.2, 1.5]])]
    layout = layout_network(sizes, 600, 300)
    values = [np.array([3.0, -6.0]), np.array([0.5, -1.0, 0.0]), np.array([0.9])]
    shades = [values[0] / 6, values[1], 2 * values[2] - 1]
    ctx = RecordingContext()
    paint_network(ctx, lambda d: ("Path2D", d), layout, weights, values, shades, LIGHT, ["Input", "Hidden 1", "Output"],
                  ["x1", "x2"])

    groups = group_edges(weights)
    assert len(ctx.named("stroke")) == len(groups) + sum(sizes)  # one per edge group, one outline per neuron
    paths = [args[0][1] for args in ctx.named("stroke") if args]
    assert sum(d.count("C") for d in paths) == sum(w.size for w in weights)  # every edge, once
    assert {LIGHT.css(1.0), LIGHT.css(-1.0)} <= set(ctx.assigned("strokeStyle"))

    fills = ctx.assigned("fillStyle")
    assert LIGHT.css(-1.0) in fills          # the hidden neuron at -1 is fully orange
    assert LIGHT.css(0.8) in fills           # the output probability 0.9 is shaded as 2p - 1
    printed = [args[0] for args in ctx.named("fillText")]
    assert "3.00" in printed and "\u22126.00" in printed and "0.90" in printed
    assert {"Input", "Hidden 1", "Output", "x1", "x2"} <= set(printed)


def test_layer_captions_of_a_deep_network_on_a_narrow_canvas_never_run_into_each_other():
    sizes = [2, 8, 8, 8, 8, 8, 8, 1]
    layout = layout_network(sizes, 480, 400)
    weights = [np.ones((n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    ctx = RecordingContext()
    captions = ["Features", *[f"Hidden {i}" for i in range(1, 7)], "Output"]
    paint_network(ctx, lambda d: ("Path2D", d), layout, weights, [None] * 8, [np.zeros(n) for n in sizes], LIGHT,
                  captions)
    drawn = [args for args in ctx.named("fillText") if args[0] in captions]
    assert [args[0] for args in drawn] == captions
    for (_, left, _, width), (_, right, _, _) in zip(drawn, drawn[1:]):
        assert left + width / 2 < right - width / 2  # centred captions, each held to less than a column


def test_palette_ends_are_colour_blind_safe_and_zero_is_neutral():
    for theme in (LIGHT, DARK):
        negative, zero, positive = theme.rgb(np.array([-1.0, 0.0, 1.0])).tolist()
        assert zero == list(theme.neutral)
        # orange and blue differ in lightness, not only hue (the red/green trap)
        lightness = [0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] for c in (negative, positive)]
        assert abs(lightness[0] - lightness[1]) > 40
        assert negative[0] > negative[2] and positive[2] > positive[0]
    assert LIGHT.rgb(np.array([5.0])).tolist() == LIGHT.rgb(np.array([1.0])).tolist()


def test_text_on_a_neuron_is_readable_on_its_fill():
    assert readable_text((255, 255, 255)) == "#111111"
    assert readable_text((0, 0, 0)) == "#ffffff"


def test_every_input_label_is_drawn_whole_inside_the_canvas(opened):
    playground, page = opened("#v=1&features=x1,x2,x1x2,sin(x1),sin(x2)")
    names = {"x₁", "x₂", "x₁x₂", "sin(x₁)", "sin(x₂)"}
    drawn = {text: x for text, x, *_ in page.canvases["network"].context.named("fillText") if text in names}
    assert set(drawn) == names
    for label, right_edge in drawn.items():  # drawn right-aligned beside its neuron
        assert right_edge - 7.0 * len(label) >= 0, label  # the recorder's text is 7 px a character
