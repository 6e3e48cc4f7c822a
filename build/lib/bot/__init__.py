"""policybot: chat adapters, answering and the command line."""
