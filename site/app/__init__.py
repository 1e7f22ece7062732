"""TEMPORARY stand-in for the app (written by the infrastructure helper to test boot); the lead replaces it."""
