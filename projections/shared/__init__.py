"""What every read model shares: the view base, event records, search tokens, health."""
