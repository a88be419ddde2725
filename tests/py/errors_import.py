# An import of a module outside the subset: ModuleNotFoundError, exit 1.
import sys
import math

print(math.floor(sys.maxsize / 2**40))
import nosuchmodule_cpjit
print("not reached")
