"""Languages with no translation package, on the real stack: the message is understood as it is
(multilingual e5 in Rasa's NLU and in the knowledge search), the answer is the entry's, and the
localized "translation not installed" note says why it is in English."""

from __future__ import annotations

import pytest

from bot.language.strings import StringCatalogue
from tests.integration.conftest import RunningAssistant

pytestmark = pytest.mark.integration

# Open in issue 10 (measured on main, 2026-12-02): the Arabic "فقدت جواز سفري، ماذا أفعل؟" is
# answered with the social-insurance-card entry, and a Russian booking request is not understood
# (the e5 featurizer beside the sparse features carries few intents across languages). They join
# this list when they pass; they are not skipped meanwhile.
QUESTIONS = [
    ("fr", "Quel est le numéro de la police en Chine ?", "emergency-numbers"),
    ("ja", "黄花空港から市内へどうやって行きますか？", "transport-huanghua-airport"),
]


@pytest.mark.parametrize(("language", "text", "entry_id"), QUESTIONS)
def test_a_question_in_another_language_gets_the_entry_and_the_note(
    assistant: RunningAssistant,
    strings: StringCatalogue,
    language: str,
    text: str,
    entry_id: str,
) -> None:
    response = assistant.chat(f"multilingual-{language}", text)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == language
    answer = body["replies"][0]
    assert answer["kind"] == "knowledge_answer", body["replies"]
    assert answer["source"]["entry_id"] == entry_id
    assert answer["language"] == "en" and not answer["machine_translated"]
    assert answer["notes"] == [strings.get("translation_not_installed", language)]
    # The Chinese answer travels beside the English one, for the counter's printable card.
    assert answer["data"]["chinese_answer"]
