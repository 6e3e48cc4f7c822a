"""Reproductions of the adversarial review (issue 12): each failed on the code before it."""
