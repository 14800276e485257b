"""Market services on the web: technology-contract registration pages and API."""
