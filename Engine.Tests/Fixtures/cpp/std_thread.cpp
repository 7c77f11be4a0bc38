// std::thread workers add into an atomic and a mutex-guarded vector; the main thread joins and prints.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

int main()
{
    std::atomic<long> sum{0};
    std::mutex lock;
    std::vector<int> finished;
    std::vector<std::thread> workers;
    for (int id = 0; id < 4; id++)
        workers.emplace_back([&, id] {
            for (int i = 0; i < 100000; i++) sum += i % 7;
            std::lock_guard<std::mutex> guard(lock);
            finished.push_back(id);
        });
    for (auto &worker : workers) worker.join();
    std::sort(finished.begin(), finished.end());
    std::cout << "sum " << sum << " finished";
    for (int id : finished) std::cout << ' ' << id;
    std::cout << std::endl;
}
