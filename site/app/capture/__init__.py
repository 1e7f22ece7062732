"""Pictures and clips of the Network and Output canvases: their names, clocks and limits."""
