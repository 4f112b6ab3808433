from kit.ratelimit import rate_limit_hit


def test_limit_allows_up_to_the_limit_then_refuses():
    results = [rate_limit_hit(scope="post", key=7, limit=3, period=3600) for _ in range(5)]

    assert results == [False, False, False, True, True]


def test_limits_are_counted_per_key_and_scope():
    for _ in range(3):
        rate_limit_hit(scope="post", key=1, limit=3, period=3600)

    assert rate_limit_hit(scope="post", key=2, limit=3, period=3600) is False
    assert rate_limit_hit(scope="contact", key=1, limit=3, period=3600) is False
