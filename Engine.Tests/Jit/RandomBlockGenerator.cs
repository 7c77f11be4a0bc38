using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// Random superblocks over every statement kind and every op/type combination the backend inlines,
/// plus some it leaves to the evaluator. Operands respect the IR contract (shift amounts below the
/// width, divisions that do not fault); memory accesses hit the test machine's pages, a few on purpose
/// outside them.
/// </summary>
internal sealed class RandomBlockGenerator(Random rng, JitTestMachine m)
{
    private static readonly IrType[] IntTypes = [IrType.I1, IrType.I8, IrType.I16, IrType.I32, IrType.I64];
    private static readonly IrType[] ArithTypes = [IrType.I8, IrType.I16, IrType.I32, IrType.I64];
    private static readonly IrOp[] Arith = [IrOp.Add, IrOp.Sub, IrOp.Mul, IrOp.And, IrOp.Or, IrOp.Xor, IrOp.MulHiU, IrOp.MulHiS];
    private static readonly IrOp[] Shifts = [IrOp.Shl, IrOp.Shr, IrOp.Sar, IrOp.Rol, IrOp.Ror];
    private static readonly IrOp[] Compares = [IrOp.CmpEQ, IrOp.CmpNE, IrOp.CmpLTU, IrOp.CmpLTS, IrOp.CmpLEU, IrOp.CmpLES];

    private Superblock _sb = null!;
    private readonly Dictionary<IrType, List<IrValue>> _pool = [];
    private ulong _pc;

    public Superblock Generate(ulong guestAddress, int statements, bool mayFault)
    {
        _sb = new Superblock(guestAddress);
        _pool.Clear();
        _pc = guestAddress;
        _sb.IMark(_pc, 4);
        for (int i = 0; i < 8; i++) Get();
        for (int i = 0; i < statements; i++)
        {
            if (rng.Next(4) == 0) _sb.IMark(_pc += 4, 4);
            Statement(mayFault);
        }
        // Leave values in the state so the comparison sees them.
        for (int i = 0; i < 6; i++) Put();
        if (rng.Next(3) == 0)
        {
            _sb.Next = Pick(IrType.I64);
            _sb.NextKind = rng.Next(2) == 0 ? JumpKind.Ret : JumpKind.Boring;
        }
        else
        {
            _sb.Next = U64(0x1000 + (ulong)rng.Next(0x1000));
            _sb.NextKind = rng.Next(4) == 0 ? JumpKind.Syscall : JumpKind.Boring;
        }
        return _sb;
    }

    private void Statement(bool mayFault)
    {
        switch (rng.Next(20))
        {
            case 0: Get(); break;
            case 1: Put(); break;
            case 2 or 3: Arithmetic(); break;
            case 4: Shift(); break;
            case 5: Compare(); break;
            case 6: Convert(); break;
            case 7: Bits(); break;
            case 8: Ite(); break;
            case 9: Divide(); break;
            case 10: Concat(); break;
            case 11: Load(mayFault && rng.Next(8) == 0); break;
            case 12: Store(mayFault && rng.Next(8) == 0); break;
            case 13: Call(); break;
            case 14: Exit(); break;
            case 15: Fallback(); break;
            case 16: Indexed(); break;
            case 17: Wide(); break;
            case 18: Float(); break;
            default: Logic1(); break;
        }
    }

    private void Add(IrValue v)
    {
        if (!_pool.TryGetValue(v.Type, out var list)) _pool[v.Type] = list = [];
        list.Add(v);
    }

    private IrType AnyInt() => IntTypes[rng.Next(IntTypes.Length)];
    private IrType AnyArith() => ArithTypes[rng.Next(ArithTypes.Length)];

    private ulong RandomBits(IrType t)
    {
        ulong v = rng.Next(6) switch
        {
            0 => 0,
            1 => 1,
            2 => ulong.MaxValue,
            3 => 1UL << (t.Bits() - 1),
            4 => (ulong)rng.Next(256),
            _ => (ulong)rng.NextInt64() ^ ((ulong)rng.NextInt64() << 1),
        };
        return t.IsWide() ? v : v & t.Mask();
    }

    private IrValue Pick(IrType t)
    {
        if (_pool.TryGetValue(t, out var list) && list.Count > 0 && rng.Next(4) != 0) return list[rng.Next(list.Count)];
        return t.IsWide() ? Constant128(t, RandomBits(IrType.I64), RandomBits(IrType.I64)) : Constant(t, RandomBits(t));
    }

    /// <summary>A temp (never a constant) of type t, so operations are not all folded into immediates.</summary>
    private IrValue PickTemp(IrType t)
    {
        if (_pool.TryGetValue(t, out var list) && list.Count > 0) return list[rng.Next(list.Count)];
        var v = t.IsWide() ? _sb.Get(GuestState.XmmOffset(rng.Next(16)), t) : _sb.Get(GuestState.GprOffset(rng.Next(16)), t);
        Add(v);
        return v;
    }

    /// <summary>A guest-state offset that compiled code and the interpreter both leave alone otherwise.</summary>
    private int StateOffset(int bytes) => rng.Next(3) switch
    {
        0 => GuestState.GprOffset(rng.Next(16)) + rng.Next(8 - Math.Min(bytes, 8) + 1),
        1 => GuestState.XmmOffset(rng.Next(16)) + (bytes >= 16 ? 0 : rng.Next(16 - bytes + 1)),
        _ => GuestState.ShadowOffset + rng.Next(2 * GuestState.Size - 16),
    };

    private void Get()
    {
        var t = rng.Next(6) switch
        {
            0 => IrType.V128,
            1 => IrType.F64,
            _ => AnyInt(),
        };
        Add(_sb.Get(StateOffset(t.Bytes()), t));
    }

    private void Put()
    {
        var t = rng.Next(6) == 0 ? IrType.V128 : AnyInt();
        _sb.Put(StateOffset(t.Bytes()), Pick(t));
    }

    private void Arithmetic()
    {
        var t = AnyArith();
        var op = Arith[rng.Next(Arith.Length)];
        Add(_sb.Binop(op, t, PickTemp(t), Pick(t)));
    }

    private void Logic1()
    {
        var op = rng.Next(4) switch { 0 => IrOp.And, 1 => IrOp.Or, 2 => IrOp.Xor, _ => IrOp.Not };
        Add(op == IrOp.Not
            ? _sb.Unop(IrOp.Not, IrType.I1, PickTemp(IrType.I1))
            : _sb.Binop(op, IrType.I1, PickTemp(IrType.I1), Pick(IrType.I1)));
    }

    private void Shift()
    {
        var t = AnyArith();
        var op = Shifts[rng.Next(Shifts.Length)];
        IrValue amount = rng.Next(3) == 0
            ? U8((ulong)rng.Next(t.Bits() + 4)) // constants may be out of range: the evaluator defines those
            : _sb.Binop(IrOp.And, IrType.I8, PickTemp(IrType.I8), U8((ulong)t.Bits() - 1));
        Add(_sb.Binop(op, t, rng.Next(5) == 0 ? Pick(t) : PickTemp(t), amount));
    }

    private void Compare()
    {
        var t = AnyInt();
        var op = Compares[rng.Next(Compares.Length)];
        IrValue a = rng.Next(5) == 0 ? Pick(t) : PickTemp(t), b = Pick(t);
        Add(_sb.Binop(op, IrType.I1, a, b));
    }

    private void Convert()
    {
        var from = AnyInt();
        var to = AnyInt();
        var a = PickTemp(from);
        if (to.Bits() > from.Bits()) Add(_sb.Unop(rng.Next(2) == 0 ? IrOp.ZeroExtend : IrOp.SignExtend, to, a));
        else if (to.Bits() < from.Bits()) Add(_sb.Unop(IrOp.Truncate, to, a));
        else if (from != IrType.I1 && from != IrType.I8 && rng.Next(2) == 0)
            Add(_sb.Unop(IrOp.HighHalf, IrTypes.IntOfBytes(from.Bytes() / 2), a));
        else Add(_sb.Unop(IrOp.Neg, from, a));
    }

    private void Bits()
    {
        var t = AnyArith();
        var a = PickTemp(t);
        Add(rng.Next(2) == 0 || t == IrType.I8 ? _sb.Unop(IrOp.Not, t, a) : _sb.Unop(IrOp.ByteSwap, t, a));
    }

    private void Ite()
    {
        var t = rng.Next(6) == 0 ? IrType.V128 : AnyInt();
        Add(_sb.Ite(rng.Next(8) == 0 ? Pick(IrType.I1) : PickTemp(IrType.I1), Pick(t), Pick(t)));
    }

    private void Divide()
    {
        var t = AnyArith();
        bool signed = rng.Next(2) == 0;
        var low = PickTemp(t);
        IrValue high, divisor;
        ulong top = 1UL << (t.Bits() - 1);
        if (signed)
        {
            // A dividend that fits the width and a divisor other than 0 and -1 cannot overflow.
            high = _sb.Binop(IrOp.Sar, t, low, U8((ulong)t.Bits() - 1));
            divisor = rng.Next(2) == 0
                ? _sb.Binop(IrOp.Or, t, _sb.Binop(IrOp.And, t, Pick(t), Constant(t, top - 1)), Constant(t, 1))
                : _sb.Binop(IrOp.And, t, _sb.Binop(IrOp.Or, t, Pick(t), Constant(t, top)), Constant(t, ~1UL));
        }
        else
        {
            high = _sb.Binop(IrOp.Shr, t, PickTemp(t), U8(1));
            divisor = _sb.Binop(IrOp.Or, t, Pick(t), Constant(t, top));
        }
        var op = (signed, rng.Next(2) == 0) switch
        {
            (true, true) => IrOp.QuotS,
            (true, false) => IrOp.RemS,
            (false, true) => IrOp.QuotU,
            _ => IrOp.RemU,
        };
        Add(_sb.Triop(op, t, high, low, divisor));
    }

    private void Concat()
    {
        var (half, whole) = rng.Next(4) switch
        {
            0 => (IrType.I8, IrType.I16),
            1 => (IrType.I16, IrType.I32),
            2 => (IrType.I32, IrType.I64),
            _ => (IrType.I64, IrType.I128),
        };
        Add(_sb.Binop(IrOp.Concat, whole, Pick(half), Pick(half)));
    }

    private IrValue Address(int bytes, bool write, bool fault)
    {
        ulong region = write ? JitTestMachine.ReadWritePages * 4096UL : (JitTestMachine.ReadWritePages + JitTestMachine.ReadOnlyPages) * 4096UL;
        ulong offset;
        if (!fault) offset = (ulong)rng.NextInt64((long)region - bytes + 1);
        else if (bytes > 1 && rng.Next(2) == 0) offset = region - (ulong)bytes + 1 + (ulong)rng.Next(bytes - 1); // straddles the end
        else offset = region + (ulong)rng.Next(4096 - 16);
        if (rng.Next(2) == 0) return U64(m.MemoryBase + offset);
        return _sb.Binop(IrOp.Add, IrType.I64, PickTemp(IrType.I64) is var t && rng.Next(2) == 0
            ? _sb.Binop(IrOp.And, IrType.I64, t, U64(0)) : U64(0), U64(m.MemoryBase + offset));
    }

    private IrType MemoryType() => rng.Next(7) switch
    {
        0 => IrType.V128,
        1 => IrType.F64,
        _ => ArithTypes[rng.Next(ArithTypes.Length)],
    };

    private void Load(bool fault)
    {
        var t = MemoryType();
        Add(_sb.Load(t, Address(t.Bytes(), write: false, fault)));
    }

    private void Store(bool fault)
    {
        var t = MemoryType();
        _sb.Store(Address(t.Bytes(), write: true, fault), Pick(t));
    }

    private void Call()
    {
        if (rng.Next(2) == 0) Add(_sb.Call(TestHelpers.Mix, Pick(IrType.I64), Pick(IrType.I64), Pick(IrType.I64), Pick(IrType.I64)));
        else _sb.Call(TestHelpers.BumpRbx, Pick(IrType.I64));
    }

    private void Exit()
    {
        var kind = rng.Next(3) switch { 0 => JumpKind.SigFpeIntDiv, _ => JumpKind.Boring };
        // Mostly false guards, so the rest of the block still runs.
        var guard = rng.Next(3) == 0 ? PickTemp(IrType.I1) : _sb.Binop(IrOp.CmpEQ, IrType.I1, PickTemp(IrType.I64), U64(0x5A5A));
        _sb.Exit(guard, 0x2000 + (ulong)rng.Next(0x1000), kind);
    }

    private void Fallback()
    {
        switch (rng.Next(5))
        {
            case 0:
            {
                var t = rng.Next(2) == 0 ? IrType.I32 : IrType.I64;
                var op = rng.Next(3) switch { 0 => IrOp.Clz, 1 => IrOp.Ctz, _ => IrOp.Popcount };
                Add(_sb.Unop(op, t, PickTemp(t)));
                break;
            }
            case 1:
                Add(_sb.Binop(rng.Next(2) == 0 ? IrOp.VAdd : IrOp.VCmpEQ, IrType.V128, PickTemp(IrType.V128), Pick(IrType.V128),
                    rng.Next(2) == 0 ? IrType.I8 : IrType.I32));
                break;
            case 2:
            {
                var low = PickTemp(IrType.I64);
                var high = _sb.Binop(IrOp.Sar, IrType.I64, low, U8(63));
                var divisor = _sb.Binop(IrOp.Or, IrType.I64, Pick(IrType.I64), U64(0x100));
                Add(_sb.Triop(rng.Next(2) == 0 ? IrOp.QuotS : IrOp.RemS, IrType.I64, high, low, divisor));
                break;
            }
            case 3:
                Add(_sb.Triop(IrOp.DivFaultsU, IrType.I1, PickTemp(IrType.I32), PickTemp(IrType.I32), Pick(IrType.I32)));
                break;
            default:
                Add(_sb.Unop(IrOp.Clz, IrType.I8, PickTemp(IrType.I8)));
                break;
        }
    }

    private void Indexed()
    {
        int count = rng.Next(2) == 0 ? 8 : 7;
        var t = rng.Next(4) == 0 ? IrType.V128 : rng.Next(2) == 0 ? IrType.F64 : IrType.I32;
        int offset = GuestState.ShadowOffset + 16 * rng.Next(32);
        var index = rng.Next(2) == 0 ? PickTemp(IrType.I8) : PickTemp(IrType.I32);
        int bias = rng.Next(-9, 10);
        if (rng.Next(2) == 0) Add(_sb.GetI(offset, t, count, index, bias));
        else _sb.PutI(offset, count, index, bias, Pick(t));
    }

    private void Wide()
    {
        switch (rng.Next(5))
        {
            case 0: Add(_sb.Unop(IrOp.Truncate, AnyInt(), PickTemp(IrType.V128))); break;
            case 1: Add(_sb.Unop(IrOp.HighHalf, IrType.I64, PickTemp(rng.Next(2) == 0 ? IrType.V128 : IrType.I128))); break;
            case 2: Add(_sb.Unop(rng.Next(2) == 0 ? IrOp.ZeroExtend : IrOp.SignExtend, IrType.I128, PickTemp(AnyInt()))); break;
            case 3: Add(_sb.Unop(IrOp.ZeroExtend, IrType.V128, PickTemp(IrType.I64))); break;
            default:
                Add(_sb.Unop(IrOp.Bitcast, IrType.V128, PickTemp(IrType.I128)));
                Add(_sb.Unop(IrOp.Bitcast, IrType.I128, PickTemp(IrType.V128)));
                break;
        }
    }

    private void Float()
    {
        bool f64 = rng.Next(2) == 0;
        var ft = f64 ? IrType.F64 : IrType.F32;
        var it = f64 ? IrType.I64 : IrType.I32;
        var f = _sb.Unop(IrOp.Bitcast, ft, PickTemp(it));
        Add(f);
        var g = rng.Next(3) switch
        {
            0 => _sb.Unop(IrOp.FNeg, ft, f),
            1 => _sb.Unop(IrOp.FAbs, ft, f),
            _ => _sb.Binop(IrOp.FMul, ft, f, PickTemp(ft)),
        };
        Add(g);
        Add(_sb.Unop(IrOp.Bitcast, it, g));
    }
}
