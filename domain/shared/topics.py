"""Stored topics outlive module moves: an aggregate's events keep the topic they were first stored under.

eventsourcing names each stored event by a topic, ``module:Class.Event``, and finds the class again
from that topic when the event loads. A topic is part of the stored record (the audit chain hashes
it), so it must never change; a module is where code happens to live, and it may move. When an
aggregate's module moves (``domain/offer.py`` became ``domain/deals/offer.py``), ``stored_as`` is
called at the end of the new module with the module's old name. From then on:

- every event stored before the move loads (the old topic resolves to the class in its new home);
- every event stored after the move is stored under the same old topic, so the log names each kind
  of event one way only, read models follow one topic per event, and the chain's rule is unchanged.

Aggregates of trades added after the move are stored under their modules' own names.
"""

from __future__ import annotations

import sys

from eventsourcing import utils
from eventsourcing.domain import CanMutateAggregate

#: Old module name -> the module that now holds its aggregates (every move registered here).
MOVED: dict[str, str] = {}


def stored_as(old_module: str, module_name: str) -> None:
    """Keep the topics of ``module_name``'s aggregates and events as they were stored under ``old_module``."""
    module = sys.modules[module_name]
    MOVED[old_module] = module_name
    utils.register_topic(old_module, module)
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == module_name:
            _keep(old_module, value)


def _keep(old_module: str, cls: type) -> None:
    topic = f"{old_module}:{cls.__qualname__}"
    utils.register_topic(topic, cls)
    # get_topic() consults this cache before it builds a topic from the class's module; eventsourcing
    # 9.5 has no public way to name a class's topic (tests/unit/test_stored_topics.py pins the effect).
    utils._type_cache[cls] = topic
    for nested in list(vars(cls).values()):
        if (isinstance(nested, type) and issubclass(nested, CanMutateAggregate)
                and nested.__qualname__.startswith(f"{cls.__qualname__}.")):
            _keep(old_module, nested)
