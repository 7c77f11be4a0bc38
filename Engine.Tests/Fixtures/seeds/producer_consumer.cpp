// Seed "C++ producer consumer", bounded to 10,000 iterations instead of running until killed.
#include <cstdint>
#include <cstdlib>

struct Producer {
    uint64_t item = 0;

    [[nodiscard]]
    uint64_t* produce() {
        uint64_t* out = new uint64_t(item);
        ++item;
        return out;
    }
};

struct Consumer {
    void consume(uint64_t* in) {
        if (rand() % 100 < 50) { // 50% chance of memory-leak
            // do nothing (return, exception, etc)
        } else {
            delete in;
        }
    }
};


int main() {
    Producer p;
    Consumer c;

    for (int i = 0; i < 10000; ++i) {
        c.consume(p.produce());
    }
    return EXIT_SUCCESS;
}
