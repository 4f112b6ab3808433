from tests.servers import (  # noqa: F401
    own_postgres,
    own_site_database,
    production_static,
    server_database_url,
)
