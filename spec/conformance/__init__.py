"""Captures replayed against the model: capture reading, replay, the Linux profile."""
