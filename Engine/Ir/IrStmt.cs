namespace Memcheck.Engine.Ir;

public enum StmtKind : byte
{
    /// <summary>Start of guest instruction at Addr, Len bytes long; no effect.</summary>
    IMark,
    /// <summary>Dst = guest state at Offset, of Type.</summary>
    Get,
    /// <summary>Guest state at Offset = A.</summary>
    Put,
    /// <summary>Dst = element ((A + Bias) mod Count) of an array of Type at Offset (x87 registers).</summary>
    GetI,
    /// <summary>Element ((A + Bias) mod Count) of an array of B's type at Offset = B.</summary>
    PutI,
    /// <summary>Dst = memory[A], of Type.</summary>
    Load,
    /// <summary>memory[A] = B.</summary>
    Store,
    Unop,
    Binop,
    Triop,
    /// <summary>Dst = A (I1) ? B : C.</summary>
    Ite,
    /// <summary>
    /// Dst (if any) = Helper(Args); dirty helpers may touch guest state and memory. A guarded call (A an I1
    /// value, not None) happens only when A is 1; otherwise it has no effect and Dst is 0, as VEX's guarded
    /// dirty calls (memcheck reports "if (vbits != 0) call report").
    /// </summary>
    Call,
    /// <summary>If A (I1) leave the superblock to guest address Addr with JumpKind.</summary>
    Exit,
}

/// <summary>
/// One statement of a superblock. A flat struct so a block is an array and the passes
/// (instrumentation, optimiser, register allocator, emitter) walk it without allocation.
/// </summary>
public struct IrStmt
{
    public StmtKind Kind;
    public IrOp Op;
    /// <summary>Result type (Get/GetI/Load/Unop/Binop/Triop/Ite/Call) or element type (GetI/PutI).</summary>
    public IrType Type;
    /// <summary>Lane type of vector operations.</summary>
    public IrType Lane;
    public JumpKind JumpKind;
    /// <summary>Temp written, or <see cref="IrValue.NoTemp"/>.</summary>
    public int Dst;
    public IrValue A, B, C;
    /// <summary>Guest-state byte offset (Get/Put/GetI/PutI).</summary>
    public int Offset;
    /// <summary>
    /// GetI/PutI: element count and index bias. Load/Store that are one piece of a wider guest access (a 32-byte YMM
    /// access as two V128 ones): Count = the access's bytes, Bias = the piece's offset in it, 0 otherwise. The piece
    /// at offset 0 checks the whole access (one report, Valgrind's size); the other pieces are covered by it.
    /// </summary>
    public int Count, Bias;
    /// <summary>IMark: instruction address; Exit: target.</summary>
    public ulong Addr;
    /// <summary>IMark: instruction length.</summary>
    public int Len;
    public IrHelper? Helper;
    public IrValue[]? Args;

    public readonly bool WritesTemp => Dst >= 0;

    /// <summary>Load/Store: the bytes of the guest access it belongs to.</summary>
    public readonly int AccessBytes => Count > 0 ? Count : (Kind == StmtKind.Load ? Type : B.Type).Bytes();

    /// <summary>Load/Store: whether it checks its access (false for a piece another piece of the access checks).</summary>
    public readonly bool ChecksAccess => Bias == 0;

    public override readonly string ToString() => IrPrinter.Format(this);
}
