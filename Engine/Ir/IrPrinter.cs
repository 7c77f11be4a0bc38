using System.Text;

namespace Memcheck.Engine.Ir;

/// <summary>Text form of IR, for test failure messages and --trace-flags style debugging.</summary>
public static class IrPrinter
{
    public static string Format(in IrStmt s)
    {
        string dst = s.Dst >= 0 ? $"t{s.Dst}:{s.Type} = " : "";
        string lane = s.Lane != IrType.None ? $"[{s.Lane}]" : "";
        return s.Kind switch
        {
            StmtKind.IMark => $"------ IMark(0x{s.Addr:x}, {s.Len}) ------",
            StmtKind.Get => $"{dst}GET({s.Offset})",
            StmtKind.Put => $"PUT({s.Offset}) = {s.A}",
            StmtKind.GetI => $"{dst}GETI({s.Offset}:{s.Count}x{s.Type})[{s.A},{s.Bias}]",
            StmtKind.PutI => $"PUTI({s.Offset}:{s.Count}x{s.Type})[{s.A},{s.Bias}] = {s.B}",
            StmtKind.Load => $"{dst}LD({s.A}){Piece(s)}",
            StmtKind.Store => $"ST({s.A}){Piece(s)} = {s.B}",
            StmtKind.Unop => $"{dst}{s.Op}{lane}({s.A})",
            StmtKind.Binop => $"{dst}{s.Op}{lane}({s.A}, {s.B})",
            StmtKind.Triop => $"{dst}{s.Op}{lane}({s.A}, {s.B}, {s.C})",
            StmtKind.Ite => $"{dst}ITE({s.A}, {s.B}, {s.C})",
            StmtKind.Call when !s.A.IsNone => $"{dst}if ({s.A}) CALL {s.Helper}({string.Join(", ", s.Args ?? [])})",
            StmtKind.Call => $"{dst}CALL {s.Helper}({string.Join(", ", s.Args ?? [])})",
            StmtKind.Exit => $"if ({s.A}) goto 0x{s.Addr:x} [{s.JumpKind}]",
            _ => s.Kind.ToString(),
        };
    }

    /// <summary>A piece of a wider access, as [offset/bytes].</summary>
    private static string Piece(in IrStmt s) => s.Count > 0 ? $"[{s.Bias}/{s.Count}]" : "";

    public static string Format(Superblock sb)
    {
        var text = new StringBuilder();
        text.AppendLine($"superblock 0x{sb.GuestAddress:x} {{");
        foreach (ref readonly var s in sb.Statements) text.Append("   ").AppendLine(Format(s));
        text.AppendLine($"   goto {sb.Next} [{sb.NextKind}]");
        text.Append('}');
        return text.ToString();
    }
}
