"""Units, emulation clusters, rounds and their lifecycle, the status board, and access tokens."""
