"""The agency server: FastAPI app, schema, authorisation, push/pull, administration."""
