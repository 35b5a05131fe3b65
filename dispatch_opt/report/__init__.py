"""Human-facing output of plans: terminal tables, the HTML dispatcher views (map,
schedule board, KPIs) and the GeoJSON export."""
