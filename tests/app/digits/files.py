"""Where the CNN lab's committed files are, for the tests that read them."""
from pathlib import Path

SITE = Path(__file__).resolve().parents[3] / "site"
DIGITS = SITE / "data" / "digits.npz"
WEIGHTS = SITE / "data" / "digits-cnn.npz"
MNIST = SITE / "data" / "mnist.npz"
