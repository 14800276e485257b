"""Audit read models: the event log and its hash chain."""
