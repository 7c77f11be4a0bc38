/* Every cpuid leaf glibc and libraries read (and the ones past the maximum, which Intel CPUs answer with the
   highest basic leaf), six subleaves each, and XCR0: what the guest's CPU looks like. cpuid_leaves.valgrind.txt is
   this program's output under Valgrind 3.19 on the machine the project runs on. */
#include <stdio.h>
#include <cpuid.h>
#include <string.h>
int main(){ unsigned a,b,c,d; char v[13];
 __cpuid(0,a,b,c,d); memcpy(v,&b,4);memcpy(v+4,&d,4);memcpy(v+8,&c,4);v[12]=0; printf("max %u vendor %s\n",a,v);
 for(unsigned l=0;l<=0x14;l++){ for(unsigned s=0;s<6;s++){ __cpuid_count(l,s,a,b,c,d); printf("%x.%u: %08x %08x %08x %08x\n",l,s,a,b,c,d);} }
 for(unsigned l=0x80000000;l<=0x8000000a;l++){ for(unsigned s=0;s<2;s++){__cpuid_count(l,s,a,b,c,d); printf("%x.%u: %08x %08x %08x %08x\n",l,s,a,b,c,d);}}
 for(unsigned l=0x40000000;l<=0x40000001;l++){__cpuid_count(l,0,a,b,c,d); printf("%x: %08x %08x %08x %08x\n",l,a,b,c,d);}
 unsigned lo,hi; __asm__("xgetbv":"=a"(lo),"=d"(hi):"c"(0)); printf("xcr0 %x %x\n",lo,hi);
 return 0;}
