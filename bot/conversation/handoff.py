"""The seam between the conversation path and a live handoff held by staff.

While a member of staff holds a conversation, the conversation service hands each user
message here instead of to Rasa (every channel takes the same path), and the user's
"back to the assistant" hands it back.
"""

from __future__ import annotations

from typing import Protocol

# The payload of the "back to the assistant" button on every staff reply.
BACK_TO_ASSISTANT = "/back_to_assistant"


class HandoffDesk(Protocol):
    """What the conversation service needs of the staff inbox (database calls: run them in a
    worker thread)."""

    def held_request(self, sender_id: str) -> int | None:
        """The id of the request staff hold for this conversation, if any."""
        ...

    def record_user_message(
        self,
        request_id: int,
        sender_id: str,
        channel: str,
        text: str,
        language: str,
        rendering: str | None,
    ) -> None:
        """Stores a user's message for the staff member who holds the conversation."""
        ...

    def hand_back(self, request_id: int, by: str) -> bool:
        """Ends the handoff: the assistant answers again. False if it had ended."""
        ...
