"""Market read models: technology-contract registrations."""
