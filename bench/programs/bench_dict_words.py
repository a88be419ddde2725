# Dictionaries and strings: words from a linear congruential generator are
# counted, grouped by first letter and summarised.
def make_rng(seed):
    state = [seed]

    def next_int(n):
        state[0] = (state[0] * 1103515245 + 12345) % 2147483648
        return state[0] % n

    return next_int


letters = "abcdefghijklmnopqrstuvwxyz"
syllables = [a + b for a in "bcdfgklmnprst" for b in "aeiou"]
rnd = make_rng(42)


def make_word():
    parts = []
    for _ in range(1 + rnd(3)):
        parts.append(syllables[rnd(len(syllables))])
    return "".join(parts)


counts = {}
for _ in range(175000):
    w = make_word()
    counts[w] = counts.get(w, 0) + 1

by_letter = {}
for word, n in counts.items():
    first = word[0]
    by_letter[first] = by_letter.get(first, 0) + n

top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
checksum = 0
for word, n in sorted(counts.items()):
    checksum = (checksum * 31 + len(word) * n) % 1000000007
print(f"distinct words: {len(counts)}")
print("top: " + " ".join([f"{w}={n}" for w, n in top]))
print("by letter: " + ",".join([f"{c}{by_letter[c]}" for c in letters if c in by_letter]))
print(f"checksum: {checksum}")
