"""Where the digits lab's committed files are, for the tests that read them."""
from pathlib import Path

SITE = Path(__file__).resolve().parents[3] / "site"
MNIST = SITE / "data" / "mnist.npz"
