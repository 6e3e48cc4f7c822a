"""Search: what a question asks, each language's candidates, ranking, the relevance
judge, provisions by number, and comparison across documents."""
