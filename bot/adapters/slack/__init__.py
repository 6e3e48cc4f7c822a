"""Slack: Bolt app (Socket Mode or HTTP), its events parsed, Block Kit out."""
