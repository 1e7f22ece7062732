"""One real training step recorded from the engine and walked through phase by phase in the Network view."""
