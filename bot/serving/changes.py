"""`add` and `remove` from the chat: what the admin gave (a file attached or replied to, a
URL, a file at the terminal) turned into a document for the knowledge base, and the one
line that says what happened. The knowledge base judges, stores and indexes (see
knowledge/assembly/adding.py); nothing here changes it on its own."""

from __future__ import annotations

import logging
from pathlib import Path

from bot import errors
from bot.serving.commands import Request, add_target
from bot.serving.metrics import Metrics
from bot.serving.render import when
from knowledge import (
    Added,
    AddedBy,
    AddRefused,
    KnowledgeBase,
    KnowledgeError,
    Offered,
    RefreshBusy,
    Removed,
)

log = logging.getLogger(__name__)

QUEUED = ("A refresh is running; your request is queued and runs right after it. I'll "
          "post the result here.")
ADD_USAGE = ('Attach a file to the message with add (or reply to a file with add), or give '
             'a web address: add https://example.org/paper.pdf "Consultation draft". '
             "I read PDF, Word (.docx), HTML, Markdown and plain text.")
REMOVE_USAGE = "Name the document to remove: remove TITLE (or its file name; see sources)."


class Changes:
    def __init__(self, knowledge: KnowledgeBase, metrics: Metrics) -> None:
        self.knowledge = knowledge
        self.metrics = metrics

    def run(self, request: Request, scopes: frozenset[str] | None = None) -> str:
        """The reply to an admin's `add` or `remove`; the knowledge base is unchanged
        whenever the reply says it was not done."""
        def queued() -> None:
            if request.tell is not None:
                request.tell(QUEUED)

        name = request.command.name
        try:
            if name == "remove":
                if not request.command.argument.strip():
                    return REMOVE_USAGE
                return removed_text(self.knowledge.additions.remove(
                    request.command.argument.strip(), queued, scopes))
            offered, title = self._offered(request)
            if offered is None:
                return ADD_USAGE
            # Added in a channel with scopes, it is of them: seen where they reach.
            by = AddedBy(request.user, request.place or request.thread, request.platform,
                         title, tuple(sorted(scopes or ())))
            return added_text(self.knowledge.additions.add(offered, by, queued))
        except (AddRefused, errors.AttachmentError) as refusal:
            log.info("%s refused: %s", name, refusal)
            return f"Not {'added' if name == 'add' else 'removed'}: {refusal}."
        except RefreshBusy:
            return errors.REFRESH_BUSY
        except KnowledgeError as error:  # the store or the embedder failed: nothing changed
            log.warning("%s failed: %s", name, error, exc_info=True)
            self.metrics.error("refresh")
            return (f"Not {'added' if name == 'add' else 'removed'}; the knowledge base is "
                    "unchanged. " + errors.STORE_DOWN)
        except Exception:
            log.exception("%s failed", name)
            self.metrics.error("refresh")
            return (f"Not {'added' if name == 'add' else 'removed'}; the knowledge base is "
                    "unchanged. The details are in the log.")

    def _offered(self, request: Request) -> tuple[Offered | None, str]:
        """The document an `add` brings, and the title it was given; None when it brings
        none."""
        additions = self.knowledge.additions
        target = add_target(request.command.argument, request.attachment is not None)
        if target.url:
            return additions.fetch(target.url), target.title
        attachment = request.attachment
        if attachment is not None:
            limit = additions.max_bytes
            if attachment.size > limit:
                raise AddRefused.too_big(attachment.size, limit)
            try:
                data = attachment.fetch(limit)
            except errors.AttachmentTooBig as error:
                raise AddRefused.too_big(0, limit) from error
            return Offered(data, attachment.name, attachment.content_type), target.title
        if target.path and request.platform == "terminal":
            return additions.local(Path(target.path)), target.title
        return None, target.title


def added_text(added: Added) -> str:
    count = f"{added.passages:,} passage{'' if added.passages == 1 else 's'}"
    if added.replaced is not None:
        earlier = added.replaced_title or added.replaced.title or added.replaced.file
        by = f'"{added.title}"' if added.title != earlier else "this version"
        return (f'Replaced "{earlier}" (added {when(added.replaced.added_at)}) with {by}: '
                f"{count}, searchable now.")
    return f'Added "{added.title}": {count}, searchable now.'


def removed_text(removed: Removed) -> str:
    count = f"{removed.passages:,} passage{'' if removed.passages == 1 else 's'}"
    return f'Removed "{removed.title}" and its {count}.'
