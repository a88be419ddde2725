# A Richards-like scheduler without classes: tasks are lists, work packets
# are tuples, and handlers are closures chosen from a dict.
IDLE, WORKER, HANDLER_A, HANDLER_B = 0, 1, 2, 3


def make_scheduler():
    queues = {WORKER: [], HANDLER_A: [], HANDLER_B: []}
    stats = {"held": 0, "sent": 0, "idle": 0}

    def send(dest, packet):
        queues[dest].append(packet)
        stats["sent"] += 1

    def worker(packet, state):
        kind, value = packet
        state[0] = (state[0] + value * 7 + kind) % 10007
        if value % 2 == 0:
            send(HANDLER_A, (kind + 1, value // 2 + state[0] % 13))
        else:
            send(HANDLER_B, (kind + 2, value * 3 + 1))
        return state[0]

    def handler(dest_other):
        def handle(packet, state):
            kind, value = packet
            state[0] = (state[0] * 3 + value) % 65521
            if value > 40:
                stats["held"] += 1
                return state[0]
            send(dest_other, (kind, value + state[0] % 5))
            return state[0]

        return handle

    handlers = {WORKER: worker, HANDLER_A: handler(WORKER), HANDLER_B: handler(HANDLER_A)}
    states = {WORKER: [1], HANDLER_A: [2], HANDLER_B: [3]}

    def run(rounds):
        acc = 0
        for r in range(rounds):
            if r % 4 == 0:
                send(WORKER, (0, r % 31))
            busy = False
            for task in (WORKER, HANDLER_A, HANDLER_B):
                q = queues[task]
                if q:
                    busy = True
                    acc = (acc + handlers[task](q.pop(0), states[task])) % 1000003
            if not busy:
                stats["idle"] += 1
        return acc

    return run, stats


run, stats = make_scheduler()
total = run(450000)
print(f"result: {total}")
print(f"sent={stats['sent']} held={stats['held']} idle={stats['idle']}")
