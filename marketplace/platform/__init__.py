"""The platform: settings, database, clock, migrations, wiring, the application and the CLI."""
