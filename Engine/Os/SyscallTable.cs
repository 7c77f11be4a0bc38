namespace Memcheck.Engine.Os;

/// <summary>
/// Every syscall the kernel headers of the build machine know (x86-64), generated into
/// SyscallTable.Generated.cs by gen-syscall-table.sh from unistd_64.h and syscall-layouts.txt.
/// </summary>
public static partial class SyscallTable
{
    private static readonly SyscallEntry?[] ByNumberIndex;
    private static readonly Dictionary<string, SyscallEntry> ByNameIndex;

    // A static constructor, not field initialisers: those of another partial file may run later.
    static SyscallTable()
    {
        ByNumberIndex = new SyscallEntry?[Generated.Max(e => e.Number) + 1];
        foreach (var entry in Generated) ByNumberIndex[entry.Number] = entry;
        ByNameIndex = Generated.ToDictionary(e => e.Name);
    }

    public static IReadOnlyList<SyscallEntry> Entries => Generated;

    /// <summary>The entry for a syscall number; null for numbers the kernel header does not define.</summary>
    public static SyscallEntry? Find(ulong number) => number < (ulong)ByNumberIndex.Length ? ByNumberIndex[number] : null;

    /// <summary>The entry named as in the kernel header (without the __NR_ prefix).</summary>
    public static SyscallEntry Named(string name) =>
        ByNameIndex.TryGetValue(name, out var entry) ? entry : throw new KeyNotFoundException($"no syscall named {name}");
}
