"""Stand-ins for the world outside, shared by tests/ and bench/: a local Slack Web API and
Socket Mode server, a Synapse homeserver and nio people, a `chroma run` server, an
OpenAI-compatible model server, scripted chat models. Not part of the installed package."""
