"""The Diagnostics panel on the playground: the per-layer table, the alerts, the histograms and Check gradients."""


def test_the_diagnostics_panel_fills_its_table_and_warns_of_vanishing_gradients(opened):
    playground, page = opened("#activation=sigmoid&hidden=8,8,8,8,8,8,8,8")
    for t in range(40):
        playground.frame(t * 16.0)
        if page.lists.get("alerts"):
            break
    playground.act("toggle")
    playground.paint(1e6)
    header, *rows = page.tables["layer-stats"]
    assert header[0] == "Layer" and len(rows) == 9 and rows[-1][0] == "the output layer"
    stats = playground.monitor.latest
    assert rows[0][1] == f"{stats.weight_gradient[0, 4]:.3g}"  # the table shows the monitor's numbers
    assert any(alert.startswith("Vanishing gradients") and "Use ReLU" in alert for alert in page.lists["alerts"])
    assert page.canvases["histograms"].context.named("fill")  # bars were drawn


def test_check_gradients_compares_the_engine_with_finite_differences(opened):
    playground, page = opened()
    playground.act("check-gradients")
    text = page.texts["gradient-check"]
    assert "they agree" in text
    largest = float(text.split(": ")[1].split(";")[0])
    assert largest < 1e-5
