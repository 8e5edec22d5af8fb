"""The run report: what every stage kept and dropped, as report.json and a static HTML page with plots."""
