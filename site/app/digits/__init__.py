"""The digits lab: draw a digit and watch an MLP or a CNN trained by the engine on MNIST read it, layer by layer."""
