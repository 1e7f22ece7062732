"""The digits lab: draw a digit and watch a CNN trained by the engine read it, layer by layer."""
