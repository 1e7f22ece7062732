"""What several features share: the colour palette, the animation-frame loop, arrays that grow row by row, how
numbers are written."""
