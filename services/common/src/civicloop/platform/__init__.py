"""The shared runtime every Civicloop service stands on.

Settings, logs, tracing, the event bus (CloudEvents over RabbitMQ), the transactional outbox
and the idempotent inbox, PostgreSQL migrations, the gRPC and HTTP servers, authentication and
graceful shutdown are written here once and reused by every service.
"""
