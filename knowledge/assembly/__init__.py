"""The knowledge base as one object: embedder, store, state, refresh and search wired up."""
