"""Messages (en, zh), the one narrator of traces, topics, the step-through page's content, the
seed audit, the pictures of the teaching report."""
