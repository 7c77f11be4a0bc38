// The C++ allocation operators: new and delete, new[] and delete[], nothrow new, and std::vector growing by
// reallocation, each appearing in massif's tree at the caller of the operator.
#include <new>
#include <vector>

struct Node {
    Node *next;
    char payload[120];
};

static Node *make_list(int length)
{
    Node *head = nullptr;
    for (int i = 0; i < length; i++) head = new Node{head, {}};
    return head;
}

static void free_list(Node *head)
{
    while (head != nullptr) {
        Node *next = head->next;
        delete head;
        head = next;
    }
}

int main()
{
    Node *list = make_list(50);
    int *numbers = new int[2000];
    char *spare = new (std::nothrow) char[5000];
    std::vector<long> values;
    for (long i = 0; i < 3000; i++) values.push_back(i);
    delete[] spare;
    free_list(list);
    delete[] numbers;
    return static_cast<int>(values.size() % 2);
}
