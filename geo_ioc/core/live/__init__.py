"""The live path: the event log, one listener per process, fan-out to subscribers."""
