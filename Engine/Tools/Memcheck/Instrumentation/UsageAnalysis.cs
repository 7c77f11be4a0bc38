using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// Memcheck's pre-instrumentation analysis for --expensive-definedness-checks=auto: which temps are used other
/// than as an address, guard or index (only those get the exact add/sub rule), and whether the block holds one of
/// the "bogus" literals of word-at-a-time string code, which makes every add/sub exact.
/// </summary>
internal sealed class UsageAnalysis
{
    /// <summary>Constants of word-at-a-time string scanning (has-zero-byte tricks), as memcheck lists them.</summary>
    private static readonly ulong[] BogusLiterals =
    [
        0xFEFEFEFF, 0x80808080, 0x7F7F7F7F, 0x7EFEFEFF, 0x81010100,
        0xFFFFFFFFFEFEFEFF, 0xFEFEFEFEFEFEFEFF, 0x0000000000008080, 0x8080808080808080, 0x0101010101010101,
    ];

    private readonly bool[] _usedAsData;

    public bool HasBogusLiterals { get; }

    public UsageAnalysis(Superblock sb)
    {
        _usedAsData = new bool[sb.TempCount];
        foreach (ref readonly var s in sb.Statements)
        {
            switch (s.Kind)
            {
                case StmtKind.Load or StmtKind.Exit or StmtKind.GetI:
                    break; // address, guard, index: checked, only their definedness as a whole matters
                case StmtKind.Store or StmtKind.PutI:
                    Data(s.B);
                    break;
                case StmtKind.Ite:
                    Data(s.B);
                    Data(s.C);
                    break;
                case StmtKind.Call:
                    foreach (var arg in s.Args ?? []) Data(arg);
                    break;
                default:
                    Data(s.A);
                    Data(s.B);
                    Data(s.C);
                    break;
            }
            HasBogusLiterals |= IsBogus(s.A) || IsBogus(s.B) || IsBogus(s.C);
        }
    }

    /// <summary>Whether <paramref name="temp"/> feeds anything but addresses, guards and indexes.</summary>
    public bool IsUsedAsData(int temp) => _usedAsData[temp];

    private void Data(IrValue v)
    {
        if (v.IsTemp) _usedAsData[v.Temp] = true;
    }

    private static bool IsBogus(IrValue v) =>
        v.IsConst && v.Type is IrType.I32 or IrType.I64 && Array.IndexOf(BogusLiterals, v.Const) >= 0;
}
