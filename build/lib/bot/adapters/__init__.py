"""Platform adapters: they translate platform events to messages and replies back."""
