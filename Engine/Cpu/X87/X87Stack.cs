using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.X87;

/// <summary>
/// The x87 register stack as one instruction sees it: eight F64 registers and their tags,
/// addressed as ST(i) = physical register (FTOP + i) mod 8 with GetI/PutI. Reading an empty
/// register or pushing onto a full one yields the real indefinite, which is what the x87 does
/// with the invalid-operation exception masked.
/// </summary>
internal sealed class X87Stack
{
    private const int Registers = 8;
    private static readonly IrValue Indefinite = IrValue.Constant(IrType.F64, Float80.F64Indefinite);

    private readonly Superblock _sb;

    public X87Stack(LiftContext ctx)
    {
        _sb = ctx.Sb;
        Top = _sb.Get(GuestState.OffFtop, IrType.I32);
    }

    /// <summary>FTOP (I32, 0-7) as this instruction has left it so far.</summary>
    public IrValue Top { get; private set; }

    /// <summary>ST(i), or the indefinite when that register is empty.</summary>
    public IrValue Get(int i) => _sb.Ite(IsFull(i), GetRaw(i), Indefinite);

    /// <summary>ST(i) whatever its tag says (fxam, fxsave, fnstenv look at both separately).</summary>
    public IrValue GetRaw(int i) => _sb.GetI(GuestState.OffFpReg0, IrType.F64, Registers, Top, i);

    /// <summary>The tag of ST(i): I8, 0 empty or 1 full.</summary>
    public IrValue GetTag(int i) => _sb.GetI(GuestState.OffFpTag0, IrType.I8, Registers, Top, i);

    public IrValue IsFull(int i) => _sb.Binop(IrOp.CmpNE, IrType.I1, GetTag(i), IrValue.U8(0));

    /// <summary>ST(i) = value, marking it full.</summary>
    public void Set(int i, IrValue value)
    {
        _sb.PutI(GuestState.OffFpReg0, Registers, Top, i, value);
        _sb.PutI(GuestState.OffFpTag0, Registers, Top, i, IrValue.U8(1));
    }

    public void Push(IrValue value)
    {
        MoveTop(-1);
        // The register below the old top still being full is a stack overflow.
        Set(0, _sb.Ite(IsFull(0), Indefinite, value));
    }

    public void Pop()
    {
        SetEmpty(0);
        MoveTop(1);
    }

    public void SetEmpty(int i) => _sb.PutI(GuestState.OffFpTag0, Registers, Top, i, IrValue.U8(0));

    /// <summary>FTOP += delta (mod 8), as fincstp/fdecstp do without touching tags.</summary>
    public void MoveTop(int delta)
    {
        Top = _sb.Binop(IrOp.And, _sb.Binop(IrOp.Add, Top, IrValue.U32((uint)delta)), IrValue.U32(Registers - 1));
        _sb.Put(GuestState.OffFtop, Top);
    }

    /// <summary>Set FTOP to a computed value (fldenv, fxrstor).</summary>
    public void SetTop(IrValue top)
    {
        Top = top;
        _sb.Put(GuestState.OffFtop, top);
    }
}
