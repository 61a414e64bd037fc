"""Persistence: the ports the services use, and one adapter per backend."""
