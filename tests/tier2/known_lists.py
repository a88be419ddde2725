# List subscripts on locals proven a list with small int indices (s8-int,
# list_facts.rs): the _KNOWN forms check only the bounds. Every exit of
# theirs is taken here, and every way a fact stops holding mid-loop: the
# index out of range (the list shrank), negative indices, the list local
# rebound to a dict and the index local to a float and a bool between two
# subscripts of the same loop body.


def stores(n):
    # `flags[j] = 0` in the loop body after the preamble proved `flags` a
    # list and `j` a small int (_STORE_SUBSCR_LIST_INT_KNOWN).
    flags = [1] * (n + 1)
    j = 0
    while j <= n:
        flags[j] = 0
        j += 3
    return sum(flags)


def reads(lst):
    # `lst[i]` and `lst[0]` (_BINARY_SUBSCR_LIST_INT_KNOWN, _KNOWN_CONST).
    i = 0
    total = 0
    while i < len(lst):
        total += lst[i] * lst[0]
        i += 1
    return total


def swaps(lst):
    i = 0
    j = len(lst) - 1
    while i < j:
        lst[i], lst[j] = lst[j], lst[i]
        i += 1
        j -= 1
    return lst


def shrinking(lst):
    # The list shrinks under the loop: the known store's bound check exits
    # and tier 1 raises IndexError.
    i = 0
    try:
        while i < 100:
            lst[i] = i
            if i == 20:
                del lst[10:]
            i += 1
    except IndexError as e:
        return "IndexError at %d: %s" % (i, e)
    return "no error"


def negative(lst):
    # Negative indices wrap in the known forms too; -len(lst) - 1 exits.
    i = -1
    total = 0
    try:
        while i > -100:
            lst[i] = lst[i] + 1
            total += lst[i]
            i -= 1
    except IndexError as e:
        return "IndexError at %d after %d: %s" % (i, total, e)
    return total


def rebound_list(n):
    # `a` becomes a dict between two stores of the same body: the second
    # store must check the kind again.
    a = [0] * 8
    d = {}
    total = 0
    i = 0
    j = 3
    while i < n:
        a[j] = i
        if i == n - 5:
            a = d
        a[j] = i + 1
        total += a[j]
        i += 1
    return total, sorted(d.items())


def rebound_index(n):
    # `j` becomes a float, then a bool, between subscripts.
    a = [5] * 8
    total = 0
    i = 0
    j = 2
    try:
        while i < n:
            total += a[j]
            if i == n - 10:
                j = True
            if i == n - 3:
                j = 1.5
            total += a[j]
            a[j] = i
            i += 1
    except TypeError as e:
        return "TypeError at %d: %s, total %d" % (i, e, total)
    return total


def swap_rebound(n):
    # The swapped list becomes a tuple mid-loop: TypeError from tier 1.
    lst = list(range(10))
    i = 0
    try:
        while i < n:
            a = i % 5
            b = 9 - a
            lst[a], lst[b] = lst[b], lst[a]
            if i == n - 4:
                lst = tuple(lst)
            i += 1
    except TypeError as e:
        return "TypeError at %d: %s" % (i, e)
    return lst


def alternating(n):
    # Stores to the list and the index locals on the main path of the body:
    # after `a, b = b, a` and `j, k = k, j` neither is known any more, and
    # once `b` is a dict and `k` a bool the second subscripts meet them.
    a = [0, 1, 2, 3]
    b = [4, 5, 6, 7]
    j = 1
    k = 2
    i = 0
    total = 0
    while i < n:
        total += a[j]
        a, b = b, a
        j, k = k, j
        total += a[j]
        a[j] = total % 10
        if i == n - 7:
            b = {1: 100, 2: 200, True: 300}
            k = True
        i += 1
    return total, a, b, j, k


def const_index(lst):
    # `lst[6]` after `lst[i]` proved `lst` a list: _KNOWN_CONST; a short
    # list takes its exit and tier 1 raises IndexError.
    i = 0
    total = 0
    try:
        while i < 30:
            total += lst[i] + lst[6]
            i += 1
    except IndexError as e:
        return "IndexError at %d: %s" % (i, e)
    return total


def swaps_past(lst):
    # The second index runs past the end in the loop body: the known
    # swap's exit, IndexError from tier 1, the list unchanged by it.
    i = 0
    j = 5
    try:
        while i < 100:
            lst[i], lst[j] = lst[j], lst[i]
            i += 1
            j += 1
    except IndexError as e:
        return "IndexError at %d, %d: %s; %s" % (i, j, e, lst[-6:])
    return lst


print(alternating(200))
for n in range(30):
    r = const_index(list(range(30 + n)))
print(r, const_index([1, 2, 3]))
print(swaps_past(list(range(50))))
print(stores(1000))
print(reads(list(range(1, 301))))
for _ in range(40):
    s = swaps(list(range(50)))
print(s[:5], s[-5:])
print(shrinking(list(range(100))))
print(negative(list(range(60))))
print(rebound_list(300))
print(rebound_index(300))
print(swap_rebound(300))
