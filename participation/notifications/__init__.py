"""In-app notifications, with an e-mail sent after commit through the outbox."""
