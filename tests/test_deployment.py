"""The Dockerfile and docker-compose.yml, checked as far as a machine without a Docker
engine allows: structure, settings that really exist and validate, versions that match,
and the package the image installs, built for real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import chromadb
import pytest
import yaml

from bot.serving.settings import Settings
from tests.conftest import REPO


def compose() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (REPO / "Dockerfile").read_text("utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def test_compose_has_chroma_policybot_and_the_optional_profiles() -> None:
    services = compose()["services"]
    assert set(services) == {"chroma", "policybot", "synapse", "ollama", "slack-http"}
    assert services["synapse"]["profiles"] == ["matrix"]
    assert services["ollama"]["profiles"] == ["ollama"]
    assert services["slack-http"]["profiles"] == ["slack-http"]
    assert "profiles" not in services["chroma"] and "profiles" not in services["policybot"]
    chroma, bot = services["chroma"], services["policybot"]
    assert chroma["healthcheck"]["test"] and any(v.endswith(":/data")
                                                 for v in chroma["volumes"])
    assert bot["depends_on"] == {"chroma": {"condition": "service_healthy"}}
    assert bot["build"] == "." and (REPO / "Dockerfile").exists()
    assert bot["env_file"] == [{"path": ".env", "required": False}]
    assert "9464/healthz" in " ".join(bot["healthcheck"]["test"])
    named = set(compose()["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if volume.endswith(":ro") and source.startswith("./"):
                assert (REPO / source).is_file()  # a file of this repository, read only
                continue
            assert source in named  # every volume is a named, persistent one


def test_compose_settings_are_real_and_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = compose()["services"]["policybot"]["environment"]
    fields = {f"POLICYBOT_{name.upper()}" for name in Settings.model_fields}
    assert set(environment) <= fields  # no misspelt setting silently ignored
    for name in list(os.environ):
        if name.startswith("POLICYBOT_"):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.chroma_url == "http://chroma:8000" and settings.metrics_port == 9464
    healthcheck = " ".join(compose()["services"]["policybot"]["healthcheck"]["test"])
    assert f":{settings.metrics_port}/healthz" in healthcheck


def test_chroma_image_matches_the_client_version() -> None:
    image = compose()["services"]["chroma"]["image"]
    server = image.rsplit(":", 1)[1]
    client = chromadb.__version__
    assert server.split(".")[:2] == client.split(".")[:2], (server, client)


def test_dockerfile_is_multi_stage_non_root_and_copies_what_exists() -> None:
    steps = dockerfile()
    stages = [args for op, args in steps if op == "FROM"]
    assert len(stages) == 2 and stages[0].endswith(" AS build")
    assert all(re.search(r"python:3\.11-slim", stage) for stage in stages)  # as tested here
    final = steps[[i for i, (op, _) in enumerate(steps) if op == "FROM"][1]:]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1] not in {"root", "0"}
    for op, args in steps:
        if op == "COPY" and "--from=" not in args:
            for source in args.split()[:-1]:
                assert (REPO / source).exists(), source
    command = [args for op, args in final if op == "CMD"][-1]
    assert "policybot refresh" in command and "exec policybot run" in command
    env = " ".join(args for op, args in final if op == "ENV")
    assert "POLICYBOT_PROMPTS_DIR=/app/prompts" in env and "POLICYBOT_DATA_DIR=/data" in env
    ignored = (REPO / ".dockerignore").read_text("utf-8").split()
    assert {".venv", ".data", ".env"} <= set(ignored)  # no secrets or caches in the image


@pytest.mark.e2e
def test_the_package_the_image_installs_builds_and_holds_what_runs(tmp_path: Path) -> None:
    # The build stage's `pip install .`, from exactly what its COPY lines bring in.
    source = tmp_path / "src"
    source.mkdir()
    build = dockerfile()[:[op for op, _ in dockerfile()].index("FROM", 1)]
    for op, args in build:
        if op == "COPY":
            *copied, target = args.split()
            for name in copied:
                origin, destination = REPO / name, source / target / Path(name).name
                if origin.is_dir():
                    shutil.copytree(origin, source / target.rstrip("/").removeprefix("./"),
                                    ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(origin, destination)
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheels),
                    str(source)], check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("policybot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("bot/cli/main.py", "bot/adapters/slack/adapter.py",
                   "bot/adapters/matrix/adapter.py", "bot/serving/health.py",
                   "knowledge/index/store.py", "knowledge/background.txt",
                   "bot/prompts/answer.txt", "bot/prompts/condense.txt"):
        assert module in names, module
    assert not any(n.startswith(("tests/", "bench/", "testing/")) for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "policybot = bot.cli.main:main" in zipfile.ZipFile(wheel).read(entry).decode()
    # Installed (unpacked) away from the checkout, the package finds its own templates.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    loaded = subprocess.run(
        [sys.executable, "-c", "from bot.answering.prompts import DEFAULT_PROMPTS_DIR, "
         "load_prompt; load_prompt('answer', {'passages', 'question', 'language'}); "
         "print(DEFAULT_PROMPTS_DIR)"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True,
        text=True, check=True, timeout=60)
    assert Path(loaded.stdout.strip()) == site / "bot" / "prompts"


def test_every_package_on_disk_is_listed_for_the_wheel() -> None:
    # pyproject lists packages by hand (to map prompts/ into bot/prompts); a new package
    # missing from that list would be left out of the wheel without a word.
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
                 ["tool"]["setuptools"]["packages"])
    on_disk = {str(init.parent.relative_to(REPO)).replace(os.sep, ".")
               for root in ("bot", "knowledge") for init in (REPO / root).rglob("__init__.py")}
    assert on_disk <= listed
    assert listed - on_disk == {"bot.prompts"}


def test_compose_publishes_on_this_host_only_and_pins_its_images() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
        image = str(service.get("image", ""))
        if "build" not in service:  # ours is built here; the others are pulled
            assert ":" in image and not image.endswith(":latest"), (name, image)
    # Slack's HTTP port only with its profile: the bot publishes /healthz alone.
    assert [p for p in services["policybot"]["ports"] if ":3000" in str(p)] == []
    proxy = services["slack-http"]
    conf = REPO / proxy["volumes"][0].split(":")[0]
    port = compose()["services"]["policybot"]["environment"]["POLICYBOT_SLACK_PORT"]
    assert f"proxy_pass http://policybot:{port};" in conf.read_text("utf-8")
