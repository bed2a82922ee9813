"""The storage layer: every SQL statement of the host, one module per concern, plain functions taking the connection first."""
