class AppError(Exception):
    pass
class Bad(AppError):
    def __init__(self, code):
        super().__init__(f"code {code}")
        self.code = code
def f():
    try:
        raise Bad(7)
    except AppError as e:
        print("caught", e, e.args, e.code, type(e).__name__)
        raise ValueError("wrapped") from e
try:
    f()
except ValueError as v:
    print(repr(v.__cause__), v.__cause__.code)
def g():
    try:
        {}["k"]
    except KeyError:
        raise Bad(9)
g()
