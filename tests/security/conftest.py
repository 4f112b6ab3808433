from tests.servers import production_static, server_database_url  # noqa: F401
