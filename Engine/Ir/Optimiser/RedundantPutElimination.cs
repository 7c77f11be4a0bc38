using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Ir;

/// <summary>
/// Removes a Put whose every byte is written again by a later Put before anything can observe it.
/// Observers: a Get of those bytes; a GetI or PutI over its array; a helper call by its declared
/// StateReads; and every way out of the block. Side exits and the end need the complete state. A Load,
/// Store or dirty call may leave the block too (a fault, an error report with a stack trace); there,
/// as in Valgrind's default (--vex-iropt-register-updates=unwindregs-at-mem-access), only the
/// registers an unwinder needs must be current: <see cref="PreciseAtMemoryAccess"/>.
/// </summary>
public static class RedundantPutElimination
{
    /// <summary>State ranges (offset, size) kept up to date at every memory access and dirty call.</summary>
    public static IReadOnlyList<(int Offset, int Size)> PreciseAtMemoryAccess => Precise;

    private static readonly (int Offset, int Size)[] Precise = [(GuestState.OffRsp, 8), (GuestState.OffRbp, 8), (GuestState.OffRip, 8)];

    public static void Run(Superblock sb)
    {
        // Bytes that a later Put overwrites before anything observes them.
        var overwritten = PassScratch.Flags(GuestState.BlockSize).AsSpan(0, GuestState.BlockSize);
        // Kept statements are compacted toward the end in place: sb[first, Count) is what stays.
        int first = sb.Count;

        for (int i = sb.Count - 1; i >= 0; i--)
        {
            ref readonly IrStmt s = ref sb[i];
            switch (s.Kind)
            {
                case StmtKind.Put:
                {
                    int size = s.Type.Bytes();
                    if (s.Offset >= 0 && s.Offset + size <= overwritten.Length)
                    {
                        if (overwritten.Slice(s.Offset, size).IndexOf(false) < 0) continue;
                        overwritten.Slice(s.Offset, size).Fill(true);
                    }
                    break;
                }
                case StmtKind.Get:
                    Observe(overwritten, s.Offset, s.Type.Bytes());
                    break;
                case StmtKind.GetI or StmtKind.PutI:
                    Observe(overwritten, s.Offset, s.Count * s.Type.Bytes());
                    break;
                case StmtKind.Exit:
                    overwritten.Clear();
                    break;
                case StmtKind.Load or StmtKind.Store:
                    Observe(overwritten, Precise);
                    break;
                case StmtKind.Call:
                    Observe(overwritten, s.Helper!.StateReads);
                    if (!s.Helper.IsPure) Observe(overwritten, Precise);
                    break;
            }
            sb[--first] = s;
        }
        sb.KeepFrom(first);
    }

    /// <summary>Every range of the list (indexed: a foreach over the interface would allocate per statement).</summary>
    private static void Observe(Span<bool> overwritten, IReadOnlyList<(int Offset, int Size)> ranges)
    {
        for (int k = 0; k < ranges.Count; k++) Observe(overwritten, ranges[k].Offset, ranges[k].Size);
    }

    private static void Observe(Span<bool> overwritten, int offset, int size)
    {
        int start = Math.Clamp(offset, 0, overwritten.Length), end = Math.Clamp(offset + size, 0, overwritten.Length);
        overwritten[start..end].Clear();
    }
}
