"""The conversation service marks a passage answer as quoted, in the user's language."""

from __future__ import annotations

from bot.conversation import ConversationService, IncomingMessage
from bot.language.layer import NativeOnlyLanguageLayer
from tests.fakes import FakeRasaClient

PASSAGE = {
    "custom": {
        "talentdesk": 1,
        "text": "**Register within 24 hours.**",
        "language": "en",
        "kind": "passage_answer",
        "source": {"name": "Exit and Entry Administration Law", "last_verified": "2026-12-02"},
        "data": {"reference": "Exit-entry rules › Article 39", "chinese_passage": "24小时内登记。"},
    }
}


async def test_a_passage_answer_carries_the_localized_quoted_note(strings, registry) -> None:
    rasa = FakeRasaClient([PASSAGE, {"text": "plain"}])
    service = ConversationService(
        rasa=rasa,
        language=NativeOnlyLanguageLayer(),
        strings=strings,
        supported_languages=set(registry.codes),
        max_text_chars=500,
    )
    turn = await service.handle(IncomingMessage("u", "web", "bonjour", language="fr"))
    quoted, plain = turn.replies
    assert quoted.notes == ("Extrait du document : Exit-entry rules › Article 39",)
    assert quoted.data["chinese_passage"] == "24小时内登记。"
    assert plain.notes == ()
