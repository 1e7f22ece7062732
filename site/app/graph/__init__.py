"""The computation graph panel: the engine's graph laid out, drawn, and linked to the Network view."""
