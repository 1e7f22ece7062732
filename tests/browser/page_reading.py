"""Reading what the page shows: the state it is in, and the pixels of a canvas."""

# Reads a canvas: how many pixels differ from its most common colour (the background), how
# many colours it has, and how many pixels changed since the previous reading.
READ_CANVAS = """
(canvas) => {
  const image = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  const pixels = new Uint32Array(image.data.buffer);
  const counts = new Map();
  for (const pixel of pixels) counts.set(pixel, (counts.get(pixel) || 0) + 1);
  const previous = window.previousPixels;
  window.previousPixels = pixels;
  let changed = 0;
  for (let i = 0; previous && i < pixels.length; i++) if (pixels[i] !== previous[i]) changed++;
  return {
    total: pixels.length,
    painted: pixels.length - Math.max(...counts.values()),
    colours: counts.size,
    changed: previous && previous.length === pixels.length ? changed : null,
  };
}
"""


def wait_for_state(page, *states):
    """Wait until body's data-state is one of `states`; return it."""
    page.wait_for_function(f"{list(states)}.includes(document.body.dataset.state)")
    return page.evaluate("document.body.dataset.state")
