"""The code editor's Python: running the user's code with a deadline, and carrying it in a link."""
