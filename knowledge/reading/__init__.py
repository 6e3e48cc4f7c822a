"""A format's text and nothing more: PDF, HTML, Word and plain or Markdown text read as
lines, with the title a format names."""
