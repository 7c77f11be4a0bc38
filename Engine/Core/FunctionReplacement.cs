using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// A guest function a tool replaces, as Valgrind redirects a function to its preload library: when an object
/// whose soname matches <paramref name="SonamePattern"/> is mapped, its symbol <paramref name="Symbol"/>
/// (the ELF name, mangled for C++, without a version) is redirected. A call to it then runs
/// <paramref name="Helper"/> with the guest's argument registers (rdi, rsi, rdx, rcx as a0..a3), puts the
/// result in rax and returns to the caller. While the helper runs, RIP holds the replacement's own address
/// in the replacement object (<see cref="Tool.ReplacementObjectPath"/>), so a stack captured there starts
/// "at 0x...: malloc (in .../vgpreload_memcheck-amd64-linux.so)" and goes on with the caller.
/// </summary>
/// <param name="SonamePattern">
/// Valgrind's soname patterns: '*' matches any run of characters ("libc.so*", "libstdc++*"); "NONE" is the main
/// executable (an object without a soname).
/// </param>
/// <param name="FrameName">The name stacks show for the replacement, when not the symbol's.</param>
public sealed record FunctionReplacement(string SonamePattern, string Symbol, IrHelper Helper, string? FrameName = null);
