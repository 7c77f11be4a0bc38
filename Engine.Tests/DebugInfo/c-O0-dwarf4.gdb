leaf nested_fault.c:9
middle nested_fault.c:15
middle nested_fault.c:14
middle nested_fault.c:14
outer nested_fault.c:21
main nested_fault.c:27
