shapes::Box<int>::put inline_fault.cpp:11
shapes::fill<int> inline_fault.cpp:16
outer inline_fault.cpp:24
main inline_fault.cpp:30
