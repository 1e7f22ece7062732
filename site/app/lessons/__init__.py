"""Lessons that teach: each preset as a few steps the learner does, checked from what the page shows."""
