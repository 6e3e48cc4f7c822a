"""Matrix: nio client with encryption, its events parsed, HTML notices out."""
