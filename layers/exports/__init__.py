"""Layer exports: files in six formats and any supported CRS, directly or as background jobs."""
