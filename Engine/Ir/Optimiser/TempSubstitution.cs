namespace Memcheck.Engine.Ir;

/// <summary>
/// Temps a pass has replaced by another value (a constant or an earlier temp). Passes walk the block
/// forward and rewrite each statement's operands through this map before looking at it, which is
/// copy and constant propagation: since temps are SSA, a replacement holds for every later use.
/// </summary>
internal sealed class TempSubstitution
{
    private readonly IrValue[] _replacement;

    public TempSubstitution(int tempCount)
    {
        _replacement = new IrValue[tempCount];
        Array.Fill(_replacement, IrValue.None);
    }

    /// <summary>Replace <paramref name="temp"/> by <paramref name="value"/>, which must already be resolved.</summary>
    public void Replace(int temp, IrValue value) => _replacement[temp] = value;

    /// <summary>Unused operand slots hold default(IrValue), whose Temp is 0: only typed operands are temps.</summary>
    public static bool IsTempOperand(IrValue v) => v.IsTemp && !v.IsNone;

    public IrValue Resolve(IrValue v) => IsTempOperand(v) && !_replacement[v.Temp].IsNone ? _replacement[v.Temp] : v;

    /// <summary>Rewrite the operands of <paramref name="s"/>; a changed argument array is copied, never edited in place.</summary>
    public void Rewrite(ref IrStmt s)
    {
        s.A = Resolve(s.A);
        s.B = Resolve(s.B);
        s.C = Resolve(s.C);
        if (s.Args is not { } args) return;
        for (int i = 0; i < args.Length; i++)
        {
            var resolved = Resolve(args[i]);
            if (resolved == args[i]) continue;
            if (ReferenceEquals(args, s.Args)) args = (IrValue[])args.Clone();
            args[i] = resolved;
        }
        s.Args = args;
    }
}
