"""HTTP interface: litestar controllers, jinja2 templates (Chinese and English), JSON API."""
