"""Handlers: one module per flow a user meets. Each turns an update into a service call."""
