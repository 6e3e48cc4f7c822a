"""Files shared with a message, as `add` takes them: downloaded with the bot token from
`url_private_download` (the manifest's files:read), within a size limit, and only from
Slack's own hosts: the token goes nowhere else, and a redirect elsewhere is not followed.

Slack answers a download it does not authorise with its sign-in page (HTML, status 200),
not an error: a web page where a non-HTML file was announced is reported as refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from bot import errors

DOWNLOAD_SECONDS = 60.0
MAX_REDIRECTS = 3


@dataclass(frozen=True)
class SlackFile:
    """One file of a message's `files`."""

    id: str
    name: str
    size: int
    mimetype: str
    url: str  # url_private_download

    @classmethod
    def parse(cls, value: object) -> SlackFile | None:
        if not isinstance(value, Mapping):
            return None
        url = _text(value.get("url_private_download")) or _text(value.get("url_private"))
        if not url:
            return None  # a file Slack does not let bots download (or a deleted one)
        size = value.get("size")
        return cls(_text(value.get("id")), _text(value.get("name")) or "file",
                   size if isinstance(size, int) and size >= 0 else 0,
                   _text(value.get("mimetype")), url)


def files_of(event: Mapping[str, Any]) -> tuple[SlackFile, ...]:
    found = event.get("files")
    if not isinstance(found, list):
        return ()
    return tuple(f for f in (SlackFile.parse(v) for v in found) if f is not None)


def trusted_host(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to this URL: Slack's file hosts, or the host of
    the Web API the bot talks to (a stand-in in tests, an enterprise grid's own)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    api = urlsplit(api_url)
    if parts.scheme == "https" and (host in {"slack.com", "slack-gov.com"} or host.endswith(
            (".slack.com", ".slack-edge.com", ".slack-files.com", ".slack-gov.com"))):
        return True
    return (host, parts.port, parts.scheme) == ((api.hostname or "").lower(), api.port,
                                                api.scheme)


def download(file: SlackFile, token: str, api_url: str, limit: int) -> bytes:
    """The file's bytes, at most `limit` of them; errors.AttachmentError with a plain
    reason otherwise."""
    url = file.url
    with httpx.Client(follow_redirects=False, timeout=DOWNLOAD_SECONDS) as client:
        for _ in range(MAX_REDIRECTS + 1):
            if not trusted_host(url, api_url):
                raise errors.AttachmentError(
                    f"Slack offered {file.name} from {urlsplit(url).hostname}, not from "
                    "Slack; not downloaded")
            try:
                with client.stream("GET", url,
                                   headers={"Authorization": f"Bearer {token}"}) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise errors.AttachmentError(
                            f"Slack refused to give {file.name} (HTTP {response.status_code})")
                    served = response.headers.get("content-type", "")
                    if "html" in served and "html" not in file.mimetype:
                        raise errors.AttachmentError(
                            f"Slack gave a sign-in page, not {file.name}: the app needs the "
                            "files:read scope (see docs/slack.md)")
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > limit:
                            raise errors.AttachmentTooBig(file.name)
                    return bytes(body)
            except httpx.HTTPError as error:
                raise errors.AttachmentError(
                    f"could not download {file.name} from Slack "
                    f"({type(error).__name__})") from error
    raise errors.AttachmentError(f"Slack redirected {file.name} too often; not downloaded")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
