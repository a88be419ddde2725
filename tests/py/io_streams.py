import sys
print("out 1")
print("err 1", file=sys.stderr)
sys.stderr.write("err 2\n")
print("out 2", flush=True)
print("x", "y", sep=", ", end="!\n", file=sys.stdout)
print(sys.stderr, sys.stdout, sys.stdin)
n = sys.stdout.write("abc\n")
print(n, sys.stderr.write("partial"), file=sys.stderr)
print(file=sys.stderr)
name = input("name? ")
print("hello", name)
line = input()
print(repr(line))
print(repr(sys.stdin.readline()))
rest = input()
print(repr(rest))
try:
    input("more? ")
except EOFError as e:
    print("EOFError:", e)
try:
    print(1, file=5)
except AttributeError as e:
    print(e)
sys.stdout.flush(); sys.stderr.flush()
input()
