// Exceptions thrown through several frames and caught by type, with iostream output in between.
#include <iostream>
#include <stdexcept>
#include <string>

static int depth(int n)
{
    if (n == 0) throw std::runtime_error("bottom reached");
    return depth(n - 1) + 1;
}

int main()
{
    try {
        depth(20);
    } catch (const std::exception &e) {
        std::cout << "caught: " << e.what() << '\n';
    }
    try {
        throw 42;
    } catch (int value) {
        std::cout << "caught int " << value << '\n';
    }
    std::string text;
    for (int i = 0; i < 5; i++) text += std::to_string(i * i) + ",";
    std::cout << text << std::endl;
    return 0;
}
