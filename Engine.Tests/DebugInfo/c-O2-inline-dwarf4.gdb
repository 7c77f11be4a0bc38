leaf inline_call.c:11
check inline_call.c:16
run inline_call.c:22
main inline_call.c:28
