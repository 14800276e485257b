"""Catalogue commands: registrations, IPC scheme and imports."""
