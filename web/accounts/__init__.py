"""Account pages and API: sign-up, login, people, roles."""
