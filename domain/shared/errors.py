"""Domain errors: every refusal the marketplace can give, each naming the field and the rule."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A command was refused because it breaks a rule of the trade.

    ``field`` names the input at fault (dotted path, e.g. ``owners.0.share``) when there is one,
    so that the web layer can attach the message to the right form field or JSON pointer. The kind
    of refusal is the class (the web maps it to an HTTP status in ``web.errors``).

    ``code`` names the rule broken, stably (``number.check_character``), and ``params`` the values the
    rule mentions (``expected="1", got="0"``): the web says the rule in the reader's language from them
    (``web.refusals``). ``message`` stays the rule in English for logs, the CLI and callers without a code.
    ``key`` optionally names a page label said instead (a refusal written for one page, e.g. when signing
    opens), with ``values`` filled in (a ``datetime`` is shown in Beijing time).
    """

    def __init__(
        self, message: str, *, field: str | None = None, code: str | None = None, key: str | None = None,
        values: Mapping[str, object] | None = None, **params: object,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.params: dict[str, object] = params
        self.key = key
        self.values = dict(values or {})


class ValidationError(DomainError):
    """Input that is malformed or outside its allowed range."""


class InvalidPatentNumberError(ValidationError):
    """A patent application or publication number that does not match its office's format."""


class UnknownIpcCodeError(ValidationError):
    """An IPC code that is not in the IPC scheme."""


class NotAuthenticatedError(DomainError):
    """The command needs a logged-in user."""


class PermissionDeniedError(DomainError):
    """The actor lacks the role or ownership the command needs."""


class NotFoundError(DomainError):
    """The addressed record does not exist."""


class ConflictError(DomainError):
    """The command conflicts with the current state (duplicate, concurrent change, wrong stage)."""


class DuplicatePatentError(ConflictError):
    """A patent with this number is already registered."""


class ListingNotOpenError(ConflictError):
    """The listing is not in a stage that allows this command."""


class ActiveListingExistsError(ConflictError):
    """The patent already has an active (draft, published or suspended) listing."""


class ConcurrentModificationError(ConflictError):
    """Somebody else changed the record between read and write; reload and retry."""


# --- deals (docs/DEALS.md) ----------------------------------------------------------------
class OfferNotOpenError(ConflictError):
    """The offer is no longer open (accepted, rejected, withdrawn or expired), or not this side's turn."""


class OfferExpiredError(ConflictError):
    """The offer's deadline has passed."""


class LicenceConflictError(ConflictError):
    """The licence would overlap a live exclusive or sole licence or an open-licence declaration."""


class ConsentMissingError(ConflictError):
    """A co-owner of the patent has not consented to an assignment or exclusive/sole licence."""


class NoticeWindowError(ConflictError):
    """The public notice (公示) window is still open, or an objection blocks the contract."""


class ContractStateError(ConflictError):
    """The contract is not in a stage that allows this command (unsigned, terminated, not in force)."""


class PaymentStateError(ConflictError):
    """The payment obligation is not in a state that allows this (already paid, not paid, refunded)."""


class PatentNotTradableError(ConflictError):
    """The patent is lapsed, expired, invalidated or withdrawn: there is no right to contract over."""
