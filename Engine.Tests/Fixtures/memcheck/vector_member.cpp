// Objects holding std::vector members: the lost object's vector buffer is indirectly lost;
// a vector reached through the middle of its buffer only is possibly lost.
#include <vector>

struct Samples {
    std::vector<int> values;
    std::vector<double> weights;
};

int *middle;

int main()
{
    Samples *volatile lost = new Samples;
    lost->values.assign(20, 1);
    lost->weights.assign(7, 0.5);
    lost = nullptr;
    auto *held = new std::vector<int>(30, 2);
    middle = held->data() + 10;
    held = nullptr;
    return 0;
}
