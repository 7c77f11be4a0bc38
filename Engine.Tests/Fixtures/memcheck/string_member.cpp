// Objects holding std::string members: a lost object owns a heap string buffer (indirectly lost);
// a kept object's buffer is still reachable.
#include <string>

struct Person {
    std::string name;
    std::string address;
};

Person *kept;

int main()
{
    kept = new Person{"Ada Lovelace of the Analytical Engine", "12 St James's Square, London"};
    Person *volatile lost = new Person{"Charles Babbage, the Difference Engine", "short"};
    lost = nullptr;
    return 0;
}
