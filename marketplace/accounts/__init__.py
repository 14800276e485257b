"""Account commands: people, passwords, personal data."""
