"""The web interface's views, one module per area: pages (portfolio, journey), gaps, imports."""
