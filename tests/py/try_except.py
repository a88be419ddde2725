def safe_div(a, b):
    try:
        return a // b
    except ZeroDivisionError:
        return None

print(safe_div(7, 2), safe_div(1, 0))
try:
    [][1]
except (KeyError, IndexError) as e:
    print("caught", e)
try:
    {}["missing"]
except LookupError as e:
    print("lookup", repr(e))
try:
    raise ValueError("bad value")
except ValueError as e:
    print("value", e)
else:
    print("no")
try:
    x = 1
except Exception:
    print("never")
else:
    print("else ran", x)
for i in range(3):
    try:
        if i == 1:
            continue
        print("body", i)
    except Exception:
        pass
def nested():
    try:
        try:
            1 / 0
        except KeyError:
            print("wrong")
    except ZeroDivisionError as e:
        print("outer caught:", e)
nested()
try:
    int("zz")
except ValueError as e:
    print(e)
raise KeyError("final")
