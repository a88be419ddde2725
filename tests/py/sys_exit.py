# sys.exit: the status of the exit, output flushed first; finally-less.
import sys

print("before", sys.argv[0].endswith("sys_exit.py"))
try:
    sys.exit("message to stderr")
except SystemExit as e:
    print("caught", e)
try:
    raise SystemExit(0)
except Exception:
    print("not caught by Exception")
except BaseException as e:
    print("BaseException", repr(e))
sys.exit(4)
print("not reached")
