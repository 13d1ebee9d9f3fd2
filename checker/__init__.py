"""The model-checking engine: knows search, properties and proofs; nothing of TCP."""
