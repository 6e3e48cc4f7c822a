"""Where documents come from: the sources folders and sources.toml, bounded fetching,
the URL cache, and each source read by its format (never split here)."""
