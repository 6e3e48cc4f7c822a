"""The terminal: a chat on stdin/stdout and the refresh progress bar."""
