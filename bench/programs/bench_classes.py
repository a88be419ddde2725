# Objects everywhere: a small particle simulation (instances with float
# attributes, methods calling methods, a property, operator overloading on a
# vector class) and a task scheduler (a class hierarchy with overridden
# methods and super() calls). Bench-shaped: hot loops over attribute loads,
# stores and method calls.


class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def scaled(self, k):
        return Vec(self.x * k, self.y * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y


class Particle:
    def __init__(self, x, y, vx, vy, mass):
        self.pos = Vec(x, y)
        self.vel = Vec(vx, vy)
        self.mass = mass

    @property
    def energy(self):
        return 0.5 * self.mass * self.vel.dot(self.vel)

    def step(self, dt):
        self.pos = self.pos + self.vel.scaled(dt)
        if self.pos.x < 0.0 or self.pos.x > 100.0:
            self.vel.x = -self.vel.x
        if self.pos.y < 0.0 or self.pos.y > 100.0:
            self.vel.y = -self.vel.y

    def pull(self, cx, cy, g):
        dx = cx - self.pos.x
        dy = cy - self.pos.y
        self.vel.x += dx * g
        self.vel.y += dy * g


def simulate(n, steps):
    ps = []
    seed = 12345
    for i in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        x = seed % 1000 / 10.0
        seed = (seed * 1103515245 + 12345) % 2147483648
        y = seed % 1000 / 10.0
        ps.append(Particle(x, y, (i % 7) - 3.0, (i % 5) - 2.0, 1.0 + i % 3))
    for s in range(steps):
        for p in ps:
            p.pull(50.0, 50.0, 0.001)
            p.step(0.1)
    total = 0.0
    for p in ps:
        total += p.energy
    return round(total, 6)


class Task:
    def __init__(self, name, work):
        self.name = name
        self.work = work
        self.done = 0

    def run(self, budget):
        used = min(budget, self.work - self.done)
        self.done += used
        return used

    def finished(self):
        return self.done >= self.work


class IoTask(Task):
    def __init__(self, name, work, latency):
        super().__init__(name, work)
        self.latency = latency

    def run(self, budget):
        return super().run(max(1, budget - self.latency))


class CpuTask(Task):
    def run(self, budget):
        used = super().run(budget)
        self.done += used // 4
        return used


class Scheduler:
    # The run queue is a list read from a head index (a ring without
    # pop(0)'s O(n) move, which would dominate the profile).
    def __init__(self):
        self.queue = []
        self.head = 0
        self.ticks = 0
        self.log = {}

    def add(self, task):
        self.queue.append(task)

    def tick(self, budget):
        task = self.queue[self.head]
        self.head += 1
        used = task.run(budget)
        self.ticks += used
        if task.finished():
            self.log[task.name] = self.ticks
        else:
            self.queue.append(task)

    def run_all(self, budget):
        while self.head < len(self.queue):
            self.tick(budget)
        return self.ticks


def schedule(n):
    s = Scheduler()
    for i in range(n):
        if i % 3 == 0:
            s.add(IoTask("io" + str(i), 50 + i % 40, i % 4))
        elif i % 3 == 1:
            s.add(CpuTask("cpu" + str(i), 80 + i % 50))
        else:
            s.add(Task("t" + str(i), 30 + i % 20))
    total = s.run_all(7)
    return total, len(s.log), s.log["t2"]


print(simulate(300, 1000))
print(schedule(6000))
