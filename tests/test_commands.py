import pytest

from bot.serving.commands import Command, parse


@pytest.mark.parametrize(("text", "expected"), [
    ("refresh", Command("refresh")),
    ("  /Refresh ", Command("refresh")),
    ("!sources", Command("sources")),
    ("help?", Command("help")),
    ("ask Who wins?", Command("ask", "Who wins?")),
    ("ask", Command("empty")),
    ("", Command("empty")),
    ("refresh the cache for me please", Command("ask", "refresh the cache for me please")),
    ("Was fordert der Autor?", Command("ask", "Was fordert der Autor?")),
])
def test_parse(text: str, expected: Command) -> None:
    assert parse(text) == expected
