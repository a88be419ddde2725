print("this never runs")
def f(:
    pass
