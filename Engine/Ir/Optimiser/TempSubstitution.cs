namespace Memcheck.Engine.Ir;

/// <summary>
/// Temps a pass has replaced by another value (a constant or an earlier temp). Passes walk the block
/// forward and rewrite each statement's operands through this map before looking at it, which is
/// copy and constant propagation: since temps are SSA, a replacement holds for every later use.
/// The table is one per thread and reused by every pass, so optimising allocates nothing.
/// </summary>
internal readonly struct TempSubstitution
{
    [ThreadStatic] private static IrValue[]? t_table;

    private readonly IrValue[] _replacement;

    public TempSubstitution(int tempCount)
    {
        var table = t_table;
        if (table == null || table.Length < tempCount) t_table = table = new IrValue[Math.Max(tempCount, 256)];
        table.AsSpan(0, tempCount).Fill(IrValue.None);
        _replacement = table;
    }

    /// <summary>Replace <paramref name="temp"/> by <paramref name="value"/>, which must already be resolved.</summary>
    public void Replace(int temp, IrValue value) => _replacement[temp] = value;

    /// <summary>Unused operand slots hold default(IrValue), whose Temp is 0: only typed operands are temps.</summary>
    public static bool IsTempOperand(IrValue v) => v.IsTemp && !v.IsNone;

    public IrValue Resolve(IrValue v) => IsTempOperand(v) && !_replacement[v.Temp].IsNone ? _replacement[v.Temp] : v;

    private void ResolveInPlace(ref IrValue v)
    {
        if (!IsTempOperand(v)) return;
        ref readonly var replacement = ref _replacement[v.Temp];
        if (!replacement.IsNone) v = replacement;
    }

    /// <summary>
    /// Rewrite the operands of <paramref name="s"/>, its argument array in place: a statement owns its arguments
    /// (blocks copied from another, as instrumentation copies, replace the one they came from).
    /// </summary>
    public void Rewrite(ref IrStmt s)
    {
        ResolveInPlace(ref s.A);
        ResolveInPlace(ref s.B);
        ResolveInPlace(ref s.C);
        if (s.Args is not { } args) return;
        for (int i = 0; i < args.Length; i++) ResolveInPlace(ref args[i]);
    }
}

/// <summary>Per-thread scratch arrays for the passes, grown as blocks need and never freed.</summary>
internal static class PassScratch
{
    [ThreadStatic] private static int[]? t_ints;
    [ThreadStatic] private static bool[]? t_flags;

    /// <summary>An int array of at least <paramref name="length"/> with the first <paramref name="length"/> set to <paramref name="fill"/>.</summary>
    public static int[] Ints(int length, int fill)
    {
        var a = t_ints;
        if (a == null || a.Length < length) t_ints = a = new int[Math.Max(length, 256)];
        a.AsSpan(0, length).Fill(fill);
        return a;
    }

    /// <summary>A bool array of at least <paramref name="length"/> with the first <paramref name="length"/> false.</summary>
    public static bool[] Flags(int length)
    {
        var a = t_flags;
        if (a == null || a.Length < length) t_flags = a = new bool[Math.Max(length, 1024)];
        a.AsSpan(0, length).Clear();
        return a;
    }
}
