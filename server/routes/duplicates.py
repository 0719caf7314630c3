"""A contact's duplicate suggestions (`GET /contacts/{id}/duplicates`), an extension beyond Chatwoot."""

from __future__ import annotations

from server.contract import Contact, DuplicateSuggestion, DuplicateSuggestions
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.duplicates import duplicate_suggestions
from server.errors import ApiProblem, account_router
from server.routes.params import RowId

router = account_router("duplicates")


@router.get("/contacts/{contact_id}/duplicates")
async def contact_duplicates(
    runtime: RuntimeDep, session: SessionDep, contact_id: RowId, caller: CallerDep
) -> DuplicateSuggestions:
    """The account's other contacts that may be the same person: the same email (case-insensitively), the same
    phone number once normalized, or a very similar name in the same company; each with its reasons."""
    if not runtime.extensions:
        raise ApiProblem.not_found()
    found = await duplicate_suggestions(session, caller.account_id, contact_id)
    if found is None:
        raise ApiProblem.not_found()
    return DuplicateSuggestions(
        payload=[
            DuplicateSuggestion(contact=Contact.of(suggestion.contact), reasons=suggestion.reasons)
            for suggestion in found
        ]
    )
