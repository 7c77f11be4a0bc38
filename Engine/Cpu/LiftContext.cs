using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu;

/// <summary>
/// What a lift function sees of the instruction being lifted and the superblock it is lifted
/// into: operand access by Iced operand index, guest registers, memory, and the flags thunk.
/// One context serves a whole superblock; it remembers the thunk values it last wrote so flag
/// readers in the same block see them directly (the flag specialiser needs the op constant).
/// </summary>
public sealed class LiftContext
{
    private Instruction _insn;
    private IrValue? _effectiveAddress;
    private (IrValue Op, IrValue Dep1, IrValue Dep2, IrValue Ndep)? _thunk;

    internal LiftContext(Superblock sb) => Sb = sb;

    public Superblock Sb { get; }
    public Instruction Insn => _insn;
    public ulong Address => _insn.IP;
    public ulong NextAddress => _insn.NextIP;
    /// <summary>Set by <see cref="EndBlock"/>: the superblock ends after this instruction.</summary>
    internal bool Ended { get; set; }

    internal void Begin(in Instruction insn)
    {
        _insn = insn;
        _effectiveAddress = null;
    }

    // ---------------- operands ----------------

    /// <summary>Width of an operand: register size, memory operand size, or (immediates) the instruction's operand size.</summary>
    public IrType OperandType(int operand) => _insn.GetOpKind(operand) switch
    {
        OpKind.Register => IrTypes.IntOfBytes(_insn.GetOpRegister(operand).GetSize()),
        OpKind.Memory => IrTypes.IntOfBytes(_insn.MemorySize.GetSize()),
        _ => IrTypes.IntOfBytes(_insn.GetOpRegister(0).GetSize()),
    };

    public bool IsMemory(int operand) => _insn.GetOpKind(operand) == OpKind.Memory;
    public bool IsRegister(int operand) => _insn.GetOpKind(operand) == OpKind.Register;
    public bool IsImmediate(int operand) => _insn.GetOpKind(operand) is OpKind.Immediate8 or OpKind.Immediate8_2nd
        or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate64 or OpKind.Immediate8to16
        or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32to64;

    /// <summary>The memory operand's address: base + index*scale + disp, RIP-relative, plus the fs/gs base.</summary>
    public IrValue EffectiveAddress(int operand)
    {
        if (_insn.GetOpKind(operand) != OpKind.Memory)
            throw new InvalidOperationException($"operand {operand} of {_insn} is not a memory operand");
        return _effectiveAddress ??= ComputeEffectiveAddress();
    }

    private IrValue ComputeEffectiveAddress()
    {
        IrValue ea;
        if (_insn.IsIPRelativeMemoryOperand)
            ea = IrValue.U64(_insn.IPRelativeMemoryAddress);
        else
        {
            ea = IrValue.U64(_insn.MemoryDisplacement64);
            bool address32 = false;
            if (_insn.MemoryBase != Register.None)
            {
                address32 = _insn.MemoryBase.IsGPR32();
                ea = Add64(ea, GetGpr(_insn.MemoryBase.GetFullRegister()));
            }
            if (_insn.MemoryIndex != Register.None)
            {
                address32 |= _insn.MemoryIndex.IsGPR32();
                var index = GetGpr(_insn.MemoryIndex.GetFullRegister());
                int scale = _insn.MemoryIndexScale;
                if (scale > 1) index = Sb.Binop(IrOp.Shl, IrType.I64, index, IrValue.U8((ulong)System.Numerics.BitOperations.Log2((uint)scale)));
                ea = Add64(ea, index);
            }
            // An address-size prefix makes the address wrap at 32 bits.
            if (address32)
                ea = Sb.Unop(IrOp.ZeroExtend, IrType.I64, Sb.Unop(IrOp.Truncate, IrType.I32, ea));
        }
        var segment = _insn.SegmentPrefix;
        if (segment == Register.FS) ea = Add64(ea, Sb.Get(GuestState.OffFsBase, IrType.I64));
        else if (segment == Register.GS) ea = Add64(ea, Sb.Get(GuestState.OffGsBase, IrType.I64));
        return ea;
    }

    private IrValue Add64(IrValue a, IrValue b)
    {
        if (a.IsConst && a.Const == 0) return b;
        return Sb.Binop(IrOp.Add, IrType.I64, b, a);
    }

    /// <summary>Register (any width, AH..BH included; XMM low part for narrower types), memory, or immediate.</summary>
    public IrValue Read(int operand, IrType type)
    {
        switch (_insn.GetOpKind(operand))
        {
            case OpKind.Register:
                return ReadRegister(_insn.GetOpRegister(operand), type);
            case OpKind.Memory:
                return Load(type, EffectiveAddress(operand));
            case OpKind.NearBranch16 or OpKind.NearBranch32 or OpKind.NearBranch64:
                return IrValue.Constant(type, _insn.NearBranchTarget);
            default:
                if (!IsImmediate(operand))
                    throw new InvalidOperationException($"operand {operand} of {_insn} is {_insn.GetOpKind(operand)}");
                return IrValue.Constant(type, _insn.GetImmediate(operand));
        }
    }

    private IrValue ReadRegister(Register reg, IrType type)
    {
        if (reg.IsXMM())
        {
            var v = GetXmm(reg - Register.XMM0);
            if (type == IrType.V128) return v;
            var bits = Sb.Unop(IrOp.Truncate, IrTypes.IntOfBytes(type.Bytes()), v);
            return type.IsInteger() ? bits : Sb.Unop(IrOp.Bitcast, type, bits);
        }
        var value = GetGpr(reg);
        if (value.Type == type) return value;
        if (type.Bits() < value.Type.Bits()) return Sb.Unop(IrOp.Truncate, type, value);
        throw new InvalidOperationException($"{reg} read as {type}");
    }

    /// <summary>Write an operand. A 32-bit GPR write zero-extends to 64 bits; XMM registers take V128 only.</summary>
    public void Write(int operand, IrValue value)
    {
        switch (_insn.GetOpKind(operand))
        {
            case OpKind.Register:
                var reg = _insn.GetOpRegister(operand);
                if (reg.IsXMM())
                {
                    if (value.Type != IrType.V128) throw new InvalidOperationException($"{reg} written with {value.Type}");
                    PutXmm(reg - Register.XMM0, value);
                }
                else PutGpr(reg, value);
                break;
            case OpKind.Memory:
                Store(EffectiveAddress(operand), value);
                break;
            default:
                throw new InvalidOperationException($"operand {operand} of {_insn} is not writable");
        }
    }

    // ---------------- registers and memory ----------------

    /// <summary>A GPR at its own width (AH..BH are the second byte of their register).</summary>
    public IrValue GetGpr(Register r)
    {
        var (offset, type) = GprSlot(r);
        return Sb.Get(offset, type);
    }

    public void PutGpr(Register r, IrValue v)
    {
        var (offset, type) = GprSlot(r);
        if (v.Type != type) throw new InvalidOperationException($"{r} written with {v.Type}");
        Sb.Put(offset, type == IrType.I32 ? Sb.Unop(IrOp.ZeroExtend, IrType.I64, v) : v);
        _effectiveAddress = null;
    }

    private static (int Offset, IrType Type) GprSlot(Register r)
    {
        if (!r.IsGPR()) throw new ArgumentOutOfRangeException(nameof(r), r, "not a general-purpose register");
        int index = r.GetFullRegister() - Register.RAX;
        bool high8 = r is Register.AH or Register.CH or Register.DH or Register.BH;
        return (GuestState.GprOffset(index) + (high8 ? 1 : 0), IrTypes.IntOfBytes(r.GetSize()));
    }

    public IrValue GetXmm(int index) => Sb.Get(GuestState.XmmOffset(index), IrType.V128);

    public void PutXmm(int index, IrValue v128)
    {
        if (v128.Type != IrType.V128) throw new InvalidOperationException($"xmm{index} written with {v128.Type}");
        Sb.Put(GuestState.XmmOffset(index), v128);
    }

    public IrValue Load(IrType t, IrValue addr) => Sb.Load(t, addr);

    public void Store(IrValue addr, IrValue v) => Sb.Store(addr, v);

    // ---------------- flags ----------------

    /// <summary>Record a flags-setting operation in the thunk; operands narrower than 64 bits are zero-extended.</summary>
    public void SetFlags(CcOp op, IrValue dep1, IrValue dep2, IrValue ndep)
    {
        var thunk = (IrValue.U64((ulong)op), Widen(dep1), Widen(dep2), Widen(ndep));
        PutThunk(thunk);
    }

    /// <summary>Write the thunk from values that may be temps (conditional updates such as shifts by a variable count).</summary>
    public void SetThunk(IrValue op, IrValue dep1, IrValue dep2, IrValue ndep) =>
        PutThunk((Widen(op), Widen(dep1), Widen(dep2), Widen(ndep)));

    private void PutThunk((IrValue Op, IrValue Dep1, IrValue Dep2, IrValue Ndep) thunk)
    {
        Sb.Put(GuestState.OffCcOp, thunk.Op);
        Sb.Put(GuestState.OffCcDep1, thunk.Dep1);
        Sb.Put(GuestState.OffCcDep2, thunk.Dep2);
        Sb.Put(GuestState.OffCcNdep, thunk.Ndep);
        _thunk = thunk;
    }

    /// <summary>The current thunk fields (op, dep1, dep2, ndep), all I64.</summary>
    public (IrValue Op, IrValue Dep1, IrValue Dep2, IrValue Ndep) Thunk() =>
        _thunk ??= (Sb.Get(GuestState.OffCcOp, IrType.I64), Sb.Get(GuestState.OffCcDep1, IrType.I64),
            Sb.Get(GuestState.OffCcDep2, IrType.I64), Sb.Get(GuestState.OffCcNdep, IrType.I64));

    private IrValue Widen(IrValue v) => v.Type == IrType.I64 ? v
        : v.IsConst ? IrValue.U64(v.Const)
        : Sb.Unop(IrOp.ZeroExtend, IrType.I64, v);

    /// <summary>An x86 condition over the current flags, as I1.</summary>
    /// <summary>
    /// The condition as an I1. When the flags were set earlier in the block, it is the direct comparison the
    /// optimiser's flag specialisation would make of it (as VEX specialises before instrumenting); otherwise the
    /// condition helper on the thunk in the guest state.
    /// </summary>
    public IrValue Condition(X86Condition cond)
    {
        var (op, d1, d2, nd) = Thunk();
        if (op.IsConst && FlagSpecialiser.Direct(Sb, cond, (CcOp)op.Const, d1, d2, nd) is { } direct) return direct;
        var r = Sb.Call(FlagHelpers.Condition[(int)cond], op, d1, d2, nd);
        return Sb.Unop(IrOp.Truncate, IrType.I1, r);
    }

    /// <summary>OSZAPC in RFLAGS positions (I64), other bits zero.</summary>
    public IrValue GetOszapc()
    {
        var (op, d1, d2, nd) = Thunk();
        return Sb.Call(FlagHelpers.RflagsAll, op, d1, d2, nd);
    }

    /// <summary>Thunk in COPY mode: OSZAPC from those bits of <paramref name="rflags64"/>.</summary>
    public void SetFlagsFromRflags(IrValue rflags64) =>
        SetFlags(CcOp.Copy, Sb.Binop(IrOp.And, rflags64, IrValue.U64(X86Flags.Oszapc)), IrValue.U64(0), IrValue.U64(0));

    /// <summary>RFLAGS as pushf shows it: OSZAPC, DF, AC, ID, and the always-set IF and bit 1.</summary>
    public IrValue GetRflags()
    {
        var flags = GetOszapc();
        var dflag = Sb.Get(GuestState.OffDFlag, IrType.I64);
        var df = Sb.Ite(Sb.Binop(IrOp.CmpEQ, IrType.I1, dflag, IrValue.U64(ulong.MaxValue)), IrValue.U64(X86Flags.DF), IrValue.U64(0));
        var ac = Sb.Binop(IrOp.Shl, IrType.I64, Sb.Get(GuestState.OffAcFlag, IrType.I64), IrValue.U8(18));
        var id = Sb.Binop(IrOp.Shl, IrType.I64, Sb.Get(GuestState.OffIdFlag, IrType.I64), IrValue.U8(21));
        flags = Sb.Binop(IrOp.Or, flags, df);
        flags = Sb.Binop(IrOp.Or, flags, ac);
        flags = Sb.Binop(IrOp.Or, flags, id);
        return Sb.Binop(IrOp.Or, flags, IrValue.U64(X86Flags.IF | X86Flags.Reserved1));
    }

    // ---------------- control flow ----------------

    /// <summary>End the superblock after this instruction, continuing at <paramref name="next"/>.</summary>
    public void EndBlock(IrValue next, JumpKind kind)
    {
        Sb.Next = next;
        Sb.NextKind = kind;
        Ended = true;
    }

    /// <summary>Side exit at THIS instruction (state as before it) when <paramref name="guard"/> holds.</summary>
    public void FaultExit(IrValue guard, JumpKind kind) => Sb.Exit(guard, Address, kind);
}
