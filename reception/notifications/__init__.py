"""E-mail: one function per message, an outbox table, and the delivery job."""
