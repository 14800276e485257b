"""The catalogue: patents, their numbers, classification and terms, and their listings."""
