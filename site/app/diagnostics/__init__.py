"""Diagnostics: what a run looks like inside, per layer, the alerts that say why training fails, and their panel."""
