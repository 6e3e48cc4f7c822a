"""URL sources are fetched within bounds: size, one deadline, no redirect inward."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.index.embedders import E5Embedder
from knowledge.sources.fetching import Address, BoundedFetcher, FetchRefused, is_internal
from testing.hostile_server import HostileServer
from tests.conftest import make_kb


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


@pytest.mark.parametrize(("host", "internal"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.9", True), ("172.16.5.5", True),
    ("169.254.169.254", True), ("::1", True), ("::ffff:127.0.0.1", True), ("fe80::1", True),
    ("0.0.0.0", True), ("8.8.8.8", False), ("2001:4860:4860::8888", False),
    ("not-an-address", True), ("100.100.100.200", True), ("100.64.0.1", True),
    ("2002:7f00:1::", True), ("2002:0808:0808::", False), ("192.0.2.1", True),
])
def test_what_counts_as_internal(host: str, internal: bool) -> None:
    assert is_internal((host, 80)) is internal


def test_a_body_over_the_cap_is_refused_while_it_streams(hostile: HostileServer) -> None:
    fetch = BoundedFetcher(timeout=30, max_bytes=1024 * 1024)
    with pytest.raises(FetchRefused, match="larger than 1 MB"):
        fetch(hostile.url("/endless?mb=200"))
    with pytest.raises(FetchRefused, match="larger than 1 MB"):
        fetch(hostile.url("/declared?mb=800"))


def test_a_dripping_server_meets_one_deadline(hostile: HostileServer) -> None:
    fetch = BoundedFetcher(timeout=1.5, max_bytes=1024 * 1024)
    with pytest.raises(FetchRefused, match=r"took longer than 1\.5 s"):
        fetch(hostile.url("/drip?seconds=0.2"))


def test_no_redirect_from_a_public_address_to_an_internal_one(hostile: HostileServer) -> None:
    with HostileServer() as intranet:
        # Test servers all listen on 127.0.0.1: the first one plays the public site.
        def internal(address: Address) -> bool:
            return address[1] == intranet.port

        target = intranet.url("/page")
        fetch = BoundedFetcher(timeout=10, max_bytes=1024 * 1024, internal=internal)
        with pytest.raises(FetchRefused, match="redirected from a public address"):
            fetch(hostile.url(f"/redirect?to={target}"))
        assert intranet.requests == []  # refused on connecting, before asking
        # Named directly (an intranet source), or redirected within: the admin's choice.
        assert b"Cloud costs" in fetch(target)[0]
        everything_internal = BoundedFetcher(timeout=10, max_bytes=1024 * 1024)
        assert b"Cloud costs" in everything_internal(hostile.url(f"/redirect?to={target}"))[0]


def test_a_refused_url_is_a_named_failure_in_a_refresh(tmp_path: Path, e5: E5Embedder,
                                                       hostile: HostileServer) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "note.md").write_text("# Note\n\nCloud costs rise every year.\n", "utf-8")
    big, slow = hostile.url("/endless?mb=100"), hostile.url("/drip?seconds=0.2")
    (sources / "sources.toml").write_text(
        f'[[source]]\nurl = "{big}"\n\n[[source]]\nurl = "{slow}"\n', "utf-8")
    kb = make_kb(tmp_path / "data", [sources], e5, fetch_timeout=1.5,
                 fetch_max_bytes=1024 * 1024, offline=False)
    summary = kb.refresher.refresh()
    assert summary.added == ["note.md"]
    failed = dict(summary.failed)
    assert failed[big].startswith("larger than 1 MB") and "no cached copy" in failed[big]
    assert failed[slow].startswith("took longer than 1.5 s")


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_bomb_stops_at_the_cap(hostile: HostileServer, encoding: str) -> None:
    fetch = BoundedFetcher(timeout=30, max_bytes=1024 * 1024)
    with pytest.raises(FetchRefused, match="larger than 1 MB"):
        fetch(hostile.url(f"/compressed?mb=400&encoding={encoding}"))
    small = fetch(hostile.url(f"/compressed?mb=0.5&encoding={encoding}"))[0]
    assert small == bytes(len(small)) and len(small) == 512 * 1024  # inflated, whole


def test_an_encoding_it_cannot_bound_is_refused(hostile: HostileServer) -> None:
    fetch = BoundedFetcher(timeout=30, max_bytes=1024 * 1024)
    with pytest.raises(FetchRefused, match="compressed as 'zstd'"):
        fetch(hostile.url("/compressed?mb=1&encoding=zstd"))
