"""The Race room: two runs trained side by side from the same data and seed, the setup in the controls and the
same with one setting changed, so what that one setting does shows in their boundaries and their losses."""
