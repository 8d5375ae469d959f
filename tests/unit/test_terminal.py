from bot.conversation import ConversationService
from bot.language.layer import NativeOnlyLanguageLayer
from bot.terminal import chat_loop
from tests.fakes import FakeRasaClient


def make_service(rasa: FakeRasaClient, strings, registry) -> ConversationService:
    return ConversationService(rasa, NativeOnlyLanguageLayer(), strings, set(registry.codes))


async def run(lines: list[str], service, registry, language=None) -> tuple[int, list[str]]:
    output: list[str] = []
    queue = iter([*lines, ""])

    async def read_line() -> str:
        return next(queue)

    code = await chat_loop(service, registry, read_line, output.append, language)
    return code, output


async def test_buttons_by_number_language_switch_and_blank_lines(strings, registry) -> None:
    rasa = FakeRasaClient([{"text": "Hi", "buttons": [{"title": "Help", "payload": "/help"}]}])
    code, output = await run(
        ["hello there\n", "\n", "1\n", "/language fr\n", "bonjour\n", "/quit\n", "never"],
        make_service(rasa, strings, registry),
        registry,
    )
    assert code == 0
    assert "Hi\n  [1] Help" in output
    assert [m["text"] for m in rasa.sent] == ["hello there", "/help", "bonjour"]
    assert "Je vous répondrai désormais en français." in output
    assert rasa.sent[2]["metadata"]["language"] == "fr"


async def test_an_unknown_language_and_rasa_down_are_explained(strings, registry) -> None:
    rasa = FakeRasaClient()
    service = make_service(rasa, strings, registry)
    code, output = await run([], service, registry, language="xx")
    assert code == 2 and "unknown language 'xx'" in output[0]
    rasa.down = True
    code, output = await run(["你好\n", "/language\n"], service, registry)
    assert code == 0
    assert any(
        line.startswith("! Sorry, the assistant is temporarily unavailable") for line in output
    )
    assert any("ar=العربية" in line for line in output)
