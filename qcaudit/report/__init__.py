"""Reports: the versioned JSON + per-row parquet model, the HTML page, the console summary."""
