x = [1]
x.append(2)
x.push(3)
