"""The index: embedders, the vector store, the knowledge state and the refresh that reads,
cuts and embeds the sources into it."""
