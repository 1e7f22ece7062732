"""Train a small CNN on the digits lab's MNIST with PyTorch alone and export it to ONNX: a model made outside
this project (neither the engine nor the page's code is used), which the page then opens as it would open
anyone's. site/data/mnist-torch-cnn.onnx, in the digits lab's gallery, is what this script writes::

    python -m tools.train_torch_mnist [--out site/data/mnist-torch-cnn.onnx] [--epochs 8]

It reads site/data/mnist.npz (the 8,000 training digits and the 2,000 held out, as the file records them) with
numpy. Like PyTorch's own MNIST example it gives the network its pixels normalised with MNIST's mean and
standard deviation, (pixel/255 − 0.1307) / 0.3081; the ONNX file does not say so, and the page finds it out
from the held-out digits. On the CPU, with one thread, deterministic algorithms and every random draw from one
seeded generator, two runs write the same weights.

>>> cnn()(torch.zeros(2, 1, 28, 28)).shape, sum(p.numel() for p in cnn().parameters())
(torch.Size([2, 10]), 11274)
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

DATA = Path(__file__).resolve().parent.parent / "site" / "data" / "mnist.npz"
OUT = DATA.parent / "mnist-torch-cnn.onnx"
SEED, EPOCHS, BATCH_SIZE, LEARNING_RATE = 0, 8, 64, 0.002
MEAN, STD = 0.1307, 0.3081  # MNIST's, as torchvision's MNIST example normalises with them


def cnn():
    """Two 5x5 convolutions (8 then 16 maps, padded), each with ReLU and 2x2 max pooling, then one linear
    layer from the 16 maps of 7x7 to the ten digit scores: 11,274 parameters."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 10))


def load(path):
    """(training images, labels, held-out images, labels): images as normalised float32 (N, 1, 28, 28)."""
    with np.load(path, allow_pickle=False) as stored:
        images, labels, held_out = stored["images"], stored["labels"], stored["test_index"]
    is_held_out = np.zeros(len(labels), bool)
    is_held_out[held_out] = True
    pixels = torch.tensor((images / 255.0 - MEAN) / STD, dtype=torch.float32).unsqueeze(1)
    labels = torch.tensor(labels, dtype=torch.long)
    return pixels[~is_held_out], labels[~is_held_out], pixels[is_held_out], labels[is_held_out]


def correct(model, images, labels):
    with torch.no_grad():
        return int((model(images).argmax(dim=1) == labels).sum())


def train(data, epochs=EPOCHS, log=print, make=cnn):
    """The trained network, `make()` (the CNN by default): Adam with its learning rate falling linearly towards
    0, cross-entropy, shuffled mini-batches, seed SEED."""
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    order = torch.Generator().manual_seed(SEED)
    train_images, train_labels, test_images, test_labels = data
    model = make()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps = epochs * -(-len(train_labels) // BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / steps)
    for epoch in range(epochs):
        model.train()
        for batch in torch.randperm(len(train_labels), generator=order).split(BATCH_SIZE):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(train_images[batch]), train_labels[batch]).backward()
            optimizer.step()
            schedule.step()
        model.eval()
        log(f"epoch {epoch + 1}: {correct(model, test_images, test_labels):,} of {len(test_labels):,} held-out "
            "digits read right")
    return model


def export(model, path):
    """Write `model` to `path` with torch.onnx.export (its default exporter), for one image or a batch, its
    weights inside the file (not beside it: the page opens one file)."""
    batch = torch.export.Dim("batch")
    torch.onnx.export(model.eval(), (torch.zeros(2, 1, 28, 28),), path, dynamo=True, input_names=["pixels"],
                      output_names=["scores"], dynamic_shapes=({0: batch},), external_data=False, verbose=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"the ONNX file to write (default {OUT})")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    data = load(DATA)
    model = train(data, arguments.epochs)
    export(model, arguments.out)
    right, count = correct(model, data[2], data[3]), len(data[3])
    print(f"wrote {arguments.out} ({arguments.out.stat().st_size:,} bytes) in {time.perf_counter() - started:.0f} s: "
          f"torch reads {right:,} of the {count:,} held-out digits right ({100 * right / count:.1f}%)")


if __name__ == "__main__":
    sys.exit(main())
