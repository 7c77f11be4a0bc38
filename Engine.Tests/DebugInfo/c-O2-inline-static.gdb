store inline_fault.c:9
store_twice inline_fault.c:14
outer inline_fault.c:21
main inline_fault.c:27
