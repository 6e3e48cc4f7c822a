"""Turning a question into a cited answer: extractive quoting, or a chat model whose reply
is checked against the passages it was given. Knows nothing of chat platforms."""
