"""Files as `add` takes them from a Matrix room. Clients send a file as an m.file event of
its own, so `add` is a reply to that event, or said in a thread that holds one (the
newest is taken). The file must be one the asker could read themselves (see visibility).
An encrypted room's file is an encrypted upload; the event carries its key, and the bytes
are checked against the event's hash as they are decrypted."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import AsyncClient, Event, MegolmEvent
from nio.api import MessageDirection, RelationshipType
from nio.crypto.attachments import decrypt_attachment

from bot import errors
from bot.adapters.matrix.events import RoomMessage
from bot.adapters.matrix.threads import fetch_event
from bot.adapters.matrix.visibility import readable_by

log = logging.getLogger(__name__)

# How far back a thread is searched for the file an `add` in it means.
THREAD_LOOKBACK = 50
DOWNLOAD_SECONDS = 120.0


@dataclass(frozen=True)
class MatrixFile:
    event_id: str
    name: str
    size: int  # as the event declares it; 0 when it does not
    mimetype: str
    url: str  # mxc://
    secret: Mapping[str, Any] | None = None  # an encrypted file's key, iv and hashes


def file_of(client: AsyncClient, event: Event) -> MatrixFile | None:
    """The event as a file (decrypted first in an encrypted room); None for anything
    else."""
    if isinstance(event, MegolmEvent):
        try:
            event = client.decrypt_event(event)
        except Exception:
            return None
    content = getattr(event, "source", {}).get("content")
    if not isinstance(content, Mapping) or content.get("msgtype") != "m.file":
        return None
    declared = content.get("info")
    info: Mapping[str, Any] = declared if isinstance(declared, Mapping) else {}
    sealed = content.get("file")
    secret: Mapping[str, Any] | None = sealed if isinstance(sealed, Mapping) else None
    url = (secret or content).get("url")
    if not isinstance(url, str) or not url.startswith("mxc://"):
        return None
    size = info.get("size")
    name = content.get("filename") or content.get("body")
    return MatrixFile(str(event.event_id), name if isinstance(name, str) and name else "file",
                      size if isinstance(size, int) and size >= 0 else 0,
                      str(info.get("mimetype") or ""), url, secret)


async def file_for(client: AsyncClient, message: RoomMessage) -> MatrixFile | None:
    """The file an `add` means: the event it replies to, else the newest file of its
    thread; only one its sender could read."""
    found: MatrixFile | None = None
    if message.reply_to:
        found = await _read_file(client, message.room_id, message.reply_to)
    elif message.thread_root:
        try:
            async for event in client.room_get_event_relations(
                    message.room_id, message.thread_root, RelationshipType.thread,
                    direction=MessageDirection.back, limit=THREAD_LOOKBACK):
                if int(getattr(event, "server_timestamp", 0) or 0) > message.timestamp_ms:
                    continue  # posted after the `add`: not the file it meant
                found = file_of(client, event)
                if found is not None:
                    break
        except Exception:
            log.warning("cannot read the thread %s", message.thread_root, exc_info=True)
        if found is None:
            found = await _read_file(client, message.room_id, message.thread_root)
    if found is None:
        return None
    seen = await readable_by(client, message.room_id, message.sender, [found.event_id])
    return found if found.event_id in seen else None


async def _read_file(client: AsyncClient, room_id: str, event_id: str) -> MatrixFile | None:
    event = await fetch_event(client, room_id, event_id)
    return file_of(client, event) if event is not None else None


async def download(client: AsyncClient, file: MatrixFile, limit: int) -> bytes:
    """The file's bytes (decrypted), at most `limit` of them; errors.AttachmentError with a
    plain reason otherwise. Streamed from the homeserver's authenticated media API and
    stopped at the limit: the size an event declares is the sender's word only."""
    if file.size > limit:
        raise errors.AttachmentTooBig(file.name)
    server, _, media = file.url.removeprefix("mxc://").partition("/")
    if not server or not media or "/" in media:
        raise errors.AttachmentError(f"{file.name} has no usable address")
    url = (f"{client.homeserver}/_matrix/client/v1/media/download/{quote(server, safe='')}"
           f"/{quote(media, safe='')}")
    body = bytearray()
    try:
        async with aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)) as session, \
                session.get(url, headers={"Authorization": f"Bearer {client.access_token}"},
                            allow_redirects=False) as response:
            if response.status != 200:
                raise errors.AttachmentError(f"the homeserver refused {file.name} "
                                             f"(HTTP {response.status})")
            async for chunk in response.content.iter_chunked(65536):
                body += chunk
                if len(body) > limit:
                    raise errors.AttachmentTooBig(file.name)
    except errors.AttachmentError:
        raise
    except Exception as error:
        raise errors.AttachmentError(f"could not download {file.name} from the homeserver "
                                     f"({type(error).__name__})") from error
    if file.secret is None:
        return bytes(body)
    try:
        key, hashes = file.secret["key"], file.secret["hashes"]
        return bytes(decrypt_attachment(bytes(body), str(key["k"]), str(hashes["sha256"]),
                                        str(file.secret["iv"])))
    except Exception as error:  # a wrong key, a hash that does not match
        raise errors.AttachmentError(f"{file.name} could not be decrypted "
                                     f"({type(error).__name__})") from error
