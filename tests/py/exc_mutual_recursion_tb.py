# Mutual recursion to the limit: the traceback shows the innermost 1000
# entries (no run of identical lines to collapse).
def ping(n):
    return pong(n)


def pong(n):
    return ping(n + 1)


ping(0)
