"""Round summaries: aggregation of submissions, rendering to PDF, and the summary job."""
