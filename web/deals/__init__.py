"""Deal pages and API: offers, notices, contracts, payments, webhooks."""
