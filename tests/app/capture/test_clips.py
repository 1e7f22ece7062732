"""What pictures and clips say about themselves: the caption of a run in words, file names, a clip's clock."""
import math

from app.capture.clips import Clip, file_stem
from app.playground.run import Run
from app.playground.state import State, decode
from app.playground.summary import caption


# ---- the caption ----------------------------------------------------------------------------------------
def test_the_caption_of_an_untrained_network_mixed_activations_and_no_hidden_layer():
    state = decode("#hidden=3,2&layer_activations=relu,tanh&features=x1,x2,sin(x1)").state
    run = Run(state)
    lines = caption(state, run, run.measure())
    assert lines[0].startswith("Circle · 3-3-2-1 network, ReLU, tanh · inputs x\u2081, x\u2082, sin(x\u2081) · SGD")
    assert lines[1].startswith("Epoch 0: training loss ") and "accuracy" in lines[1]
    bare = State(hidden=())
    assert caption(bare, Run(bare), Run(bare).measure())[0].startswith("Circle · 2-1 network (no hidden layer)")


def test_the_caption_of_a_regression_has_no_accuracy_and_your_points_may_have_no_test_loss():
    state = State(problem="regression", dataset="plane")
    run = Run(state)
    assert caption(state, run, run.measure())[1] == f"Epoch 0: training loss {run.measure()[0]:.3f} · test loss {run.measure()[1]:.3f}"
    assert caption(state, run, (0.5, math.nan, math.nan, math.nan))[1] == "Epoch 0: training loss 0.500"


# ---- Save image ------------------------------------------------------------------------------------------
# ---- Record and Save GIF ---------------------------------------------------------------------------------
def test_clip_file_names_and_clocks():
    assert file_stem("blobs3", "2-8-3", 7) == "gradcanvas-blobs3-2-8-3-epoch-7"
    clip = Clip("video", "x.webm")
    assert clip.status() == "Recording video: 0 s of 30 s. Press Record again to stop sooner."
    assert not clip.over(5000.0) and clip.over(35000.0) and clip.elapsed == 30.0
