"""Deal commands: offers, public notice, contracts, open licences, payments and gateways."""
