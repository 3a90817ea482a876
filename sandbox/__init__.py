"""chibo without Telegram: the project's own Bot API server, the real bot against it, and a
web page that plays Telegram's client, on a clock that can be moved.

The Bot API server (server.py) checks every call against the official spec and Telegram's
limits; the test suite and the benchmarks use the same server.
"""
