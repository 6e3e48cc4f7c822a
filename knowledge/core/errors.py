"""The knowledge base's error root. `str(error)` is one plain line a person may see (the
CLI prints it after "policybot: "); the details stay on the cause, for the log."""

from __future__ import annotations


class KnowledgeError(Exception):
    """A failure of the knowledge base."""


class StoreError(KnowledgeError):
    """The vector store could not be reached or used."""


class EmbedderError(KnowledgeError):
    """The embedder failed (an embeddings endpoint away or answering nonsense)."""


class SourceError(KnowledgeError):
    """One source could not be read; a refresh skips it and names it."""


class EmptySource(SourceError):
    """The source is there but holds no text (an emptied file): its passages go."""


class EmptyKnowledgeBase(KnowledgeError):
    """Nothing has been indexed yet."""

    def __init__(self) -> None:
        super().__init__(
            "The knowledge base is empty. Run policybot refresh (or refresh here, as an admin).")


class RefreshBusy(KnowledgeError):
    """Another refresh is running; only one runs at a time."""

    def __init__(self) -> None:
        super().__init__("a refresh is already running; try again when it has finished")


class RefreshFailed(KnowledgeError):
    """A refresh stopped; the knowledge base is as it was before it."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"refresh failed, the knowledge base is unchanged: {reason}")
        self.reason = reason
