"""Messages (en, zh), topics, the seed audit, the pictures of the teaching report."""
