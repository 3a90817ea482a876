"""Domain logic. Services take a database session and a clock, and know nothing of Telegram."""
