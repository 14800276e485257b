"""The marketplace's domain model: aggregates, events, value objects and policies (pure).

One package per trade (accounts, catalogue, deals, valuation, audit) and a shared kernel. Importing
any of it imports every aggregate module, so that each registers the topics its events were stored
under before any stored event is read (see ``domain.shared.topics``).
"""

from domain import aggregates as aggregates
