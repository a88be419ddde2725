def main():
    a = 2147483648
    t = (897, 7670116110564327424)
    chk = 0
    i = -1
    while i < 59:
        i += 1
        w = 0
        while w < 4:
            w += 1
            if (a > t[i % len(t)]):
                chk += w
        print(i, chk)
main()
