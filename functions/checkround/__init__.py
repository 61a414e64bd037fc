"""Checkround: a serverless form-and-survey backend for inspection rounds.

The package is layered: ``http`` and ``devstack`` at the edge, services in ``forms``,
``rounds``, ``submissions`` and ``reports``, and the ``storage`` adapters below them.
"""
