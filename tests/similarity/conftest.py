def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (TEST_DATABASE_URL)")
