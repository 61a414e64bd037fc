"""The HTTP edge: routing inside a function, auth, body limits, and error → JSON mapping."""
