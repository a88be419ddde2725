# A with statement's tracebacks and chaining: an exception out of the body
# (exit returns false) keeps its traceback; one raised in __exit__ chains to
# the body's; one in __exit__ on the normal way out points at the with line.


class Chain:
    def __enter__(self):
        return self

    def __exit__(self, t, v, tb):
        if t is not None:
            raise ValueError("in exit")
        return False


class Plain:
    def __enter__(self):
        return self

    def __exit__(self, t, v, tb):
        return None


class ExitFails:
    def __enter__(self):
        return self

    def __exit__(self, t, v, tb):
        raise RuntimeError("exit failed")


def body_fails():
    with Plain():
        x = 1
        {}["missing"]


def chain():
    with Chain():
        1 / 0


def normal_exit_fails():
    with ExitFails():
        pass


def ret_exit_fails():
    for i in range(3):
        with ExitFails():
            return i


for f in (body_fails, chain, normal_exit_fails, ret_exit_fails):
    try:
        f()
    except Exception as e:
        print(type(e).__name__, e, type(e.__context__).__name__)



def deep():
    with Plain() as p:
        raise IndexError("from the body")


with Chain():
    with Plain():
        deep()
