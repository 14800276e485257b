"""The marketplace's domain model: aggregates, events, value objects and policies (pure)."""
