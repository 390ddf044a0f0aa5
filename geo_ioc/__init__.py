"""geo-ioc: a GIS-centric operations server for a city's Intelligent Operations Center."""
