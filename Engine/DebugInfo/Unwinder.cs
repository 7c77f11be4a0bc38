using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// Walks the guest stack as Valgrind does: CFI where an FDE covers the PC, else the frame-pointer
/// chain, else (for the innermost frame only) the return address on top of the stack. Yields the
/// PC, then each return address minus one (inside the call, where its line and CFI belong).
/// </summary>
internal sealed unsafe class Unwinder(DebugInfoIndex index, Func<ulong, ulong?> readWord)
{
    /// <summary>DWARF register numbers (x86-64 psABI) of the GuestState.Gpr slots.</summary>
    private static readonly int[] DwarfToGpr = [0, 2, 1, 3, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15];
    private const int Rsp = 7, Rbp = 6;

    public IEnumerable<ulong> Walk(GuestState* state, int maxFrames) => Walk(Registers(state), maxFrames);

    /// <summary>The walk from registers in DWARF numbering (16 = the PC).</summary>
    internal IEnumerable<ulong> Walk(ulong?[] regs, int maxFrames) => WalkFrames(regs, maxFrames).Select(f => f.Address);

    /// <summary>Each frame's address with the stack pointer it had (null where the unwind lost it).</summary>
    public IEnumerable<(ulong Address, ulong? Sp)> WalkFrames(GuestState* state, int maxFrames) => WalkFrames(Registers(state), maxFrames);

    private static ulong?[] Registers(GuestState* state)
    {
        var regs = new ulong?[UnwindRow.RegisterCount];
        for (int r = 0; r < 16; r++) regs[r] = state->Gpr[DwarfToGpr[r]];
        regs[UnwindRow.ReturnAddress] = state->Rip;
        return regs;
    }

    private IEnumerable<(ulong Address, ulong? Sp)> WalkFrames(ulong?[] regs, int maxFrames)
    {
        ulong pc = regs[UnwindRow.ReturnAddress]!.Value;
        for (int frame = 0; frame < maxFrames; frame++)
        {
            ulong address = frame == 0 ? pc : pc - 1;
            ulong? oldSp = regs[Rsp];
            yield return (address, oldSp);
            bool stepped = index.Replacements is { } replacements && replacements.Contains(address)
                ? replacements.IsEntry(address) && StepByTopOfStack(regs)
                : StepByCfi(address, regs) || StepByFramePointer(regs) || (frame == 0 && StepByTopOfStack(regs));
            if (!stepped) yield break;
            ulong? next = regs[UnwindRow.ReturnAddress];
            if (next is null or 0 or 1 || regs[Rsp] is not { } sp || (oldSp is { } o && sp <= o)) yield break;
            pc = next.Value;
        }
    }

    private bool StepByCfi(ulong address, ulong?[] regs)
    {
        if (index.Locate(address) is not var (obj, bias, _)) return false;
        var row = obj.Frames.RowAt(address - (ulong)bias);
        if (row is null || Cfa(row, regs) is not { } cfa) return false;
        var caller = new ulong?[UnwindRow.RegisterCount];
        for (int r = 0; r < UnwindRow.RegisterCount; r++)
        {
            var rule = row.Rules[r];
            caller[r] = rule.How switch
            {
                RegisterRule.Kind.SameValue => regs[r],
                RegisterRule.Kind.AtCfaOffset => readWord(cfa + (ulong)rule.Value),
                RegisterRule.Kind.CfaOffset => cfa + (ulong)rule.Value,
                RegisterRule.Kind.InRegister => rule.Value < UnwindRow.RegisterCount ? regs[rule.Value] : null,
                RegisterRule.Kind.AtExpression => DwarfExpression.Evaluate(row.Expression(rule.Value), regs, readWord, cfa) is { } at ? readWord(at) : null,
                RegisterRule.Kind.IsExpression => DwarfExpression.Evaluate(row.Expression(rule.Value), regs, readWord, cfa),
                _ => null,
            };
        }
        // The CFA is the caller's stack pointer unless a rule (a signal frame's) restores it otherwise.
        if (row.Rules[Rsp].How == RegisterRule.Kind.SameValue) caller[Rsp] = cfa;
        caller[UnwindRow.ReturnAddress] = row.ReturnRegister < UnwindRow.RegisterCount ? caller[row.ReturnRegister] : null;
        if (caller[UnwindRow.ReturnAddress] is null) return false;
        Array.Copy(caller, regs, regs.Length);
        return true;
    }

    /// <summary>The canonical frame address: register + offset, or the value of the row's CFA expression.</summary>
    private ulong? Cfa(UnwindRow row, ulong?[] regs)
    {
        if (row.CfaExpression >= 0) return DwarfExpression.Evaluate(row.Expression(row.CfaExpression), regs, readWord, null);
        return row.CfaRegister is >= 0 and < UnwindRow.RegisterCount && regs[row.CfaRegister] is { } baseValue ? baseValue + (ulong)row.CfaOffset : null;
    }

    private bool StepByFramePointer(ulong?[] regs)
    {
        if (regs[Rbp] is not { } fp || regs[Rsp] is not { } sp || fp < sp) return false;
        if (readWord(fp) is not { } savedFp || readWord(fp + 8) is not { } ra) return false;
        regs[Rbp] = savedFp;
        regs[Rsp] = fp + 16;
        regs[UnwindRow.ReturnAddress] = ra;
        return true;
    }

    private bool StepByTopOfStack(ulong?[] regs)
    {
        if (regs[Rsp] is not { } sp || readWord(sp) is not { } ra) return false;
        regs[Rsp] = sp + 8;
        regs[UnwindRow.ReturnAddress] = ra;
        return true;
    }
}
