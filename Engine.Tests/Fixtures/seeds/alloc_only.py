import ctypes
import random

c_lib = ctypes.CDLL('./liballoc_only.so')

if __name__ == '__main__':
    print(c_lib.do_alloc(10, 8))
