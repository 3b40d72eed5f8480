# tests/daemon.mk — daemon-level checks: layering, start-up, many peers.
