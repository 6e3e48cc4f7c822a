"""From a document's lines to passages: furniture and footnotes left out, lines joined,
headings and structure read into heading paths, passage-sized blocks cut."""
