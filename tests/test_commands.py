import pytest

from bot.serving.commands import AddTarget, Command, add_target, parse


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


@pytest.mark.parametrize("argument, attached, target", [
    ('https://example.org/a.pdf "Consultation draft v2"', False,
     AddTarget(url="https://example.org/a.pdf", title="Consultation draft v2")),
    ("<https://example.org/a.pdf>", False, AddTarget(url="https://example.org/a.pdf")),
    ("“Consultation draft”", True, AddTarget(title="Consultation draft")),
    ("Consultation draft", True, AddTarget(title="Consultation draft")),
    ('"my paper.pdf" Draft', False, AddTarget(path="my paper.pdf", title="Draft")),
    ('unbalanced "quote', False, AddTarget(path="unbalanced", title='"quote')),
    ("", False, AddTarget()),
])
def test_what_add_was_given(argument: str, attached: bool, target: AddTarget) -> None:
    assert add_target(argument, attached) == target


def test_add_and_remove_are_commands() -> None:
    assert parse("add https://example.org") == Command("add", "https://example.org")
    assert parse("add https://example.org/p.php?id=1 Draft") == Command(
        "add", "https://example.org/p.php?id=1 Draft")
    assert parse(["@policybot", "remove Draft"][1]) == Command("remove", "Draft")
    assert parse("remove") == Command("remove", "")
    # Questions that begin with the words are questions.
    for question in ["Add up the cloud costs: what do they come to?",
                     "Remove barriers to cloud adoption: what does the strategy propose?"]:
        assert parse(question) == Command("ask", question)
