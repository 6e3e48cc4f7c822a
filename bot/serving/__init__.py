"""The running bot, platform-neutral: commands routed, answers counted, logs, health,
feedback, settings, and the worker threads adapters hand their messages to."""
