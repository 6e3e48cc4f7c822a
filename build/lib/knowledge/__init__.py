"""Documents, passages and the vector store behind policybot's answers.

This package never imports from ``bot``: it knows nothing about chat platforms.
"""
