"""The tracklabel kernel: hookspecs, plugin manager, config, schema and track math."""
