class MyError(Exception):
    pass
class ValErr(ValueError):
    def __init__(self, msg, code):
        super().__init__(msg)
        self.code = code
    def describe(self):
        return f"{self.args[0]}#{self.code}"
class Sub(MyError):
    def __str__(self):
        return "sub!"
for exc in (MyError("a"), MyError, ValErr("bad", 7), Sub("x"), Sub):
    try:
        raise exc
    except ValErr as e:
        print("ValErr", e, e.args, e.code, e.describe(), isinstance(e, ValueError), type(e).__name__)
    except MyError as e:
        print("MyError", type(e).__name__, str(e), repr(e), e.args, isinstance(e, Exception))
try:
    raise ValErr("v", 1)
except ValueError as e:
    print("as ValueError", e)
try:
    raise ValErr("v", 2)
except Exception as e:
    print("as Exception", e, e.code)
try:
    raise Sub()
except (KeyError, MyError) as e:
    print("tuple", repr(e))
e = MyError(1, 2)
print(e.args, str(e), repr(e))
print(issubclass(ValErr, ValueError), issubclass(ValErr, Exception), issubclass(MyError, ValueError))
def f():
    raise ValErr("deep", 3)
try:
    f()
except ValErr as e:
    print(e.code)
class NotExc:
    pass
try:
    raise NotExc()
except TypeError as e:
    print(e)
try:
    try:
        raise MyError("inner")
    except NotExc:
        pass
except TypeError as e:
    print(e)
raise ValErr("final", 9)
