"""`policybot eval`: question files and the measured report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.evaluation import (
    Case,
    CheckCase,
    CompareCase,
    EvalFileError,
    load_cases,
)
from tests.conftest import policybot


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cases_are_read_with_comments_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "# a comment",
                 '{"question": "Wer gewinnt?", "expected_phrases": ["Rechenleistung"]}',
                 "", '{"question": "Cheesecake?", "no_answer": true}')
    cases = [c for c in load_cases(path) if isinstance(c, Case)]
    assert [c.question for c in cases] == ["Wer gewinnt?", "Cheesecake?"]
    assert cases[0].phrases == ("Rechenleistung",) and cases[1].no_answer


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "not JSON"),
    ('{"expected_phrases": ["x"]}', "needs a \"question\""),
    ('{"question": "q"}', "one of the two"),
    ('{"question": "q", "no_answer": true, "expected_phrases": ["x"]}', "one of the two"),
    ('{"question": "q", "expected_sources": "essay.txt"}', "list of non-empty strings"),
    ('{"compare": ""}', "must be a non-empty string"),
    ('{"compare": "cloud"}', "expected_sources and/or expected_silent"),
    ('{"check": "x", "expected_sources": ["a"], "expected_verdict": "true"}',
     "expected_verdict must be one of"),
    ('{"check": "x"}', "give expected_sources"),
])
def test_a_malformed_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(EvalFileError, match=message) as error:
        load_cases(write(tmp_path, '{"question": "ok", "no_answer": true}', line))
    assert ":2:" in str(error.value)


@pytest.mark.e2e
def test_eval_measures_hits_refusals_and_misses(tmp_path: Path, cli_env: dict[str, str]) -> None:
    path = write(
        tmp_path,
        '{"question": "Who really wins the open-source AI race?", '
        '"expected_phrases": ["Rechenleistung bereitstellen"]}',
        '{"question": "Wo kommen die GPU-Cluster her?", '
        '"expected_sources": ["ki-souveraenitaet.txt"]}',
        # A wrong expectation: the report must count it as a miss.
        '{"question": "Who really wins the open-source AI race?", '
        '"expected_phrases": ["Käsekuchen"]}',
        '{"question": "How do I bake a cheesecake?", "no_answer": true}')
    result = policybot(["eval", "--json", str(path)], cli_env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["questions"] == 4
    assert report["citation_hit_rate"] == pytest.approx(2 / 3)
    assert report["refusal_accuracy"] == 1.0
    assert [r["correct"] for r in report["results"]] == [True, True, False, True]
    assert not {"compare_cases", "check_cases", "tool_results"} & set(report)  # as it was
    text = policybot(["eval", str(path)], cli_env).stdout
    assert "| citation hit rate | 0.667 (2/3) |" in text
    assert "miss: 'Who really wins the open-source AI race?'" in text


@pytest.mark.e2e
def test_a_bad_question_file_is_one_line(tmp_path: Path, cli_env: dict[str, str]) -> None:
    result = policybot(["eval", str(write(tmp_path, "{oops"))], cli_env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not JSON" in result.stderr


def test_compare_and_check_cases_are_read(tmp_path: Path) -> None:
    cases = load_cases(write(
        tmp_path, '{"compare": "cloud", "expected_sources": ["a.md"], "expected_silent": '
        '["b.md"]}', '{"check": "Europe pays.", "expected_sources": ["a.md"], '
        '"expected_verdict": "supported"}'))
    assert cases == [CompareCase("cloud", ("a.md",), ("b.md",)),
                     CheckCase("Europe pays.", ("a.md",), "supported")]


@pytest.mark.e2e
def test_eval_reports_compare_and_check_cases(tmp_path: Path, cli_env: dict[str, str]) -> None:
    essay = "mythos-europaeische-ki-souveraenitaet.txt"
    path = write(
        tmp_path,
        '{"question": "How do I bake a cheesecake?", "no_answer": true}',
        f'{{"compare": "open-source AI", "expected_sources": ["{essay}"]}}',
        f'{{"compare": "baking a cheesecake", "expected_silent": ["{essay}"]}}',
        f'{{"compare": "baking a cheesecake", "expected_sources": ["{essay}"]}}',
        '{"check": "Die Gewinner sind diejenigen, die Rechenleistung bereitstellen.", '
        f'"expected_sources": ["{essay}"]}}',
        '{"check": "Die Gewinner sind diejenigen, die Rechenleistung bereitstellen.", '
        f'"expected_sources": ["{essay}"], "expected_verdict": "supported"}}')
    result = policybot(["eval", "--json", str(path)], cli_env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["questions"] == 1 and report["refusal_accuracy"] == 1.0
    assert report["compare_cases"] == 3 and report["compare_placement"] == pytest.approx(2 / 3)
    # No model: no verdict, so the case expecting one is not met.
    assert report["check_cases"] == 2 and report["check_hit_rate"] == 0.5
    assert [(t["tool"], t["right"]) for t in report["tool_results"]] == [
        ("compare", 1), ("compare", 1), ("compare", 0), ("check", 1), ("check", 0)]
    text = policybot(["eval", str(path)], cli_env).stdout
    assert "| compare placement | 0.667 (2/3) |" in text
    assert "| check hit rate | 0.500 (1/2) |" in text
