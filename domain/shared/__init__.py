"""The shared kernel of the domain: money, ids, errors and the text rule."""
