"""Training traces: a run kept step by step, exported as a file, and a trace file replayed in the playground."""
