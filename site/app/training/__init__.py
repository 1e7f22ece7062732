"""Training beside the drawing: the playground's run trains in a worker of its own (trainer.py there,
worker.py here), and the page draws from the snapshots it sends (snapshot.py)."""
