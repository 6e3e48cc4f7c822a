"""The essay beside an embargoed document of scope "embargo-x" (in sources.toml), for the
tests of scopes on every surface."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ESSAY

EMBARGO = ("# Project Nightingale\n\n## Funding\n\nProject Nightingale funds a sovereign GPU "
           "cluster in Lyon with two billion euros from 2027, run by a public operator.\n\n"
           "## Oversight\n\nThe Nightingale board reports to parliament twice a year on "
           "the cluster's costs and its users.\n")
MANIFEST = '[[source]]\nfile = "embargo.md"\nscopes = ["embargo-x"]\n'
SCOPE = "embargo-x"
QUESTION = "What does Project Nightingale fund?"


def scoped_sources(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ESSAY.name).write_text(ESSAY.read_text("utf-8"), "utf-8")
    (folder / "embargo.md").write_text(EMBARGO, "utf-8")
    (folder / "sources.toml").write_text(MANIFEST, "utf-8")
    return folder
