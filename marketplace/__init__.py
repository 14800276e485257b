"""Application layer and composition root of the patent marketplace."""
