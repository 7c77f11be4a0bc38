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

    public IEnumerable<ulong> Walk(GuestState* state, int maxFrames)
    {
        var regs = new ulong?[UnwindRow.RegisterCount];
        for (int r = 0; r < 16; r++) regs[r] = state->Gpr[DwarfToGpr[r]];
        regs[UnwindRow.ReturnAddress] = state->Rip;
        return Walk(regs, maxFrames);
    }

    /// <summary>The walk from registers in DWARF numbering (16 = the PC).</summary>
    internal IEnumerable<ulong> Walk(ulong?[] regs, int maxFrames)
    {
        ulong pc = regs[UnwindRow.ReturnAddress]!.Value;
        for (int frame = 0; frame < maxFrames; frame++)
        {
            ulong address = frame == 0 ? pc : pc - 1;
            yield return address;
            ulong? oldSp = regs[Rsp];
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
        if (row is null || row.CfaUnsupported || row.CfaRegister is < 0 or >= UnwindRow.RegisterCount || regs[row.CfaRegister] is not { } baseValue)
            return false;
        ulong cfa = baseValue + (ulong)row.CfaOffset;
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
                _ => null,
            };
        }
        caller[Rsp] = cfa;
        caller[UnwindRow.ReturnAddress] = row.ReturnRegister < UnwindRow.RegisterCount ? caller[row.ReturnRegister] : null;
        if (caller[UnwindRow.ReturnAddress] is null) return false;
        Array.Copy(caller, regs, regs.Length);
        return true;
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
