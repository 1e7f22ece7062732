"""Training traces: a run kept step by step, exported as a file, and a trace file replayed in the playground
(stepping.py, a step's parameters and words, is shared with the digits lab's replay of a trace)."""
