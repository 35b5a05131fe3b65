"""dispatch-opt HTTP API: a FastAPI service around the library for ticketing systems.

`api.app.create_app` builds the application; `api.server.serve` runs it under uvicorn.
This package imports `dispatch_opt`, never the reverse.
"""
