"""The page's Python: one package per feature, and the one door to the browser.

browser/ is that door (the only package that imports `js` or `pyodide`); main.py starts the page. The
features: playground (settings, training run, the Network and Output views), playground.stepthrough (one
step walked phase by phase), graph (the computation graph panel), diagnostics (why training fails),
editor (the user's Python), traces (a run kept as a file and replayed), capture (pictures and clips),
digits (the CNN lab) and shared (palette, frame loop, growing arrays).
"""
