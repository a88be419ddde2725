print(int("12"))
int("abc")
