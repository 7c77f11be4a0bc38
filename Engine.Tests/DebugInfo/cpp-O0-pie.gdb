shapes::Box<int>::poke nested_fault.cpp:11
shapes::fill nested_fault.cpp:15
main nested_fault.cpp:21
