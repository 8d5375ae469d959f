"""Machine translations of whole replies, kept so each is made once per language.

Replies come from a finite set (knowledge answers, prompts, entry titles) and recur across
users; a user's message rarely does. Kept apart from the engine's sentence cache, where a busy
hall's stream of new messages would push the answers out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from bot.language.translator import Translation


class ReplyMemory:
    """A bounded, thread-safe memory of translated texts (least recently used dropped first).

    Everything is forgotten when the installed packages change (``revision``), so a new or
    better package is used at once.

    Args:
        capacity: Texts kept; 0 keeps nothing.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._texts: OrderedDict[tuple[str, str, str], Translation] = OrderedDict()
        self._revision: Hashable = None
        self._lock = threading.Lock()

    def get(self, revision: Hashable, source: str, target: str, text: str) -> Translation | None:
        with self._lock:
            if revision != self._revision:
                self._texts.clear()
                self._revision = revision
                return None
            found = self._texts.get((source, target, text))
            if found is not None:
                self._texts.move_to_end((source, target, text))
            return found

    def put(
        self, revision: Hashable, source: str, target: str, text: str, translation: Translation
    ) -> None:
        if self._capacity <= 0:
            return
        with self._lock:
            if revision != self._revision:
                return  # made with packages that have changed since
            self._texts[(source, target, text)] = translation
            self._texts.move_to_end((source, target, text))
            while len(self._texts) > self._capacity:
                self._texts.popitem(last=False)
