"""One package per chat platform (Slack, Matrix, the terminal): each parses its events into
typed messages, hands them to the bot, and renders the reply in its own format."""
