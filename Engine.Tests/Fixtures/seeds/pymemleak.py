# The seed document's Python producer/consumer for massif: each item holds a list of 10,000 numbers, and half the
# consumed items are tied into a reference cycle with a new item, which only Python's cycle collector frees. The
# seed's loop runs forever; this one stops after 100 items and seeds random, so every run allocates the same.
import random


class Item:
    def __init__(self, i: int):
        self.i = i
        self.nex = None
        self.mem = list(range(10000))


class Producer:
    def __init__(self):
        self.item = 0

    def produce(self):
        out = Item(self.item)
        self.item += 1
        return out


class Consumer:
    def consume(self, i):
        if random.randint(0, 100) % 100 < 50:  # 50% chance of a cycle, as the seed's "memory leak"
            x = Item(-1)
            x.nex = i
            i.nex = x


if __name__ == '__main__':
    random.seed(0)
    p = Producer()
    c = Consumer()
    for _ in range(100):
        c.consume(p.produce())
