"""Every setting is in docs/settings.md's table, and every POLICYBOT_ name the docs use
is a real setting: a renamed or added setting cannot leave the guides behind."""

from __future__ import annotations

import re

from bot.serving.settings import Settings
from tests.conftest import REPO

DOCS = [REPO / "README.md", REPO / ".env.example", REPO / "docker-compose.yml",
        *sorted((REPO / "docs").glob("*.md"))]


def test_the_settings_table_and_the_guides_name_the_real_settings() -> None:
    real = {f"POLICYBOT_{name.upper()}" for name in Settings.model_fields}
    table = (REPO / "docs" / "settings.md").read_text("utf-8")
    listed = set(re.findall(r"^\| `(POLICYBOT_[A-Z_]+)`", table, re.MULTILINE))
    assert listed == real, (sorted(real - listed), sorted(listed - real))
    for path in DOCS:
        named = set(re.findall(r"POLICYBOT_[A-Z_]+", path.read_text("utf-8")))
        assert named <= real, (path.name, sorted(named - real))
