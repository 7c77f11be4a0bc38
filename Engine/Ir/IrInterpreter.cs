using System.Runtime.CompilerServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Ir;

/// <summary>
/// Executes a superblock directly: the reference semantics the backend is tested against, and the
/// fallback for blocks it cannot compile. Holds reusable temp storage, so use one instance per thread.
/// With an <see cref="AccessCheck"/>, memory accesses (loads, stores and the memory dirty helpers declare)
/// are checked against the tool's addressability map instead of the guard, as compiled code checks them.
/// </summary>
public sealed unsafe class IrInterpreter(AccessCheck? accessCheck = null)
{
    private readonly AccessCheck? _accessCheck = accessCheck;
    private Value128[] _temps = new Value128[256];

    /// <summary>
    /// Runs <paramref name="sb"/> on <paramref name="state"/>. Each executed IMark counts one guest
    /// instruction into <see cref="GuestState.InstrCount"/>. Leaving stores the target in Rip; a memory
    /// access the guard refuses leaves with SigSegv at the current instruction, FaultAddr set.
    /// </summary>
    public BlockExit Run(Superblock sb, GuestState* state, IGuestMemoryGuard guard)
    {
        if (_temps.Length < sb.TempCount) _temps = new Value128[Math.Max(sb.TempCount, 2 * _temps.Length)];
        Value128[] t = _temps;
        byte* bytes = (byte*)state;
        ulong instruction = sb.GuestAddress;

        foreach (ref readonly IrStmt s in sb.Statements)
        {
            switch (s.Kind)
            {
                case StmtKind.IMark:
                    instruction = s.Addr;
                    state->InstrCount++;
                    break;
                case StmtKind.Get:
                    t[s.Dst] = Read(bytes + s.Offset, s.Type);
                    break;
                case StmtKind.Put:
                    Write(bytes + s.Offset, s.Type, Eval(t, s.A));
                    break;
                case StmtKind.GetI:
                    t[s.Dst] = Read(bytes + ElementOffset(s, Eval(t, s.A).Lo), s.Type);
                    break;
                case StmtKind.PutI:
                    Write(bytes + ElementOffset(s, Eval(t, s.A).Lo), s.Type, Eval(t, s.B));
                    break;
                case StmtKind.Load:
                {
                    ulong address = Eval(t, s.A).Lo;
                    if (s.ChecksAccess && !Allowed(state, guard, address, s.AccessBytes, false, instruction)) return Fault(state, address, instruction);
                    t[s.Dst] = Read((byte*)address, s.Type);
                    break;
                }
                case StmtKind.Store:
                {
                    ulong address = Eval(t, s.A).Lo;
                    if (s.ChecksAccess && !Allowed(state, guard, address, s.AccessBytes, true, instruction)) return Fault(state, address, instruction);
                    Write((byte*)address, s.Type, Eval(t, s.B));
                    break;
                }
                case StmtKind.Unop:
                    t[s.Dst] = IrEvaluator.Unop(s.Op, s.Type, s.A.Type, s.Lane, Eval(t, s.A));
                    break;
                case StmtKind.Binop:
                    t[s.Dst] = IrEvaluator.Binop(s.Op, s.Type, s.A.Type, s.Lane, Eval(t, s.A), Eval(t, s.B));
                    break;
                case StmtKind.Triop:
                    t[s.Dst] = IrEvaluator.Triop(s.Op, s.Type, s.A.Type, s.Lane, Eval(t, s.A), Eval(t, s.B), Eval(t, s.C));
                    break;
                case StmtKind.Ite:
                    t[s.Dst] = (Eval(t, s.A).Lo & 1) != 0 ? Eval(t, s.B) : Eval(t, s.C);
                    break;
                case StmtKind.Call:
                {
                    if (!s.A.IsNone && (Eval(t, s.A).Lo & 1) == 0)
                    {
                        if (s.Dst >= 0) t[s.Dst] = 0UL;
                        break;
                    }
                    if (HelperMemoryRefused(s, t, state, guard, instruction) is ulong refused) return Fault(state, refused, instruction);
                    ulong result = Call(s, t, state);
                    if (s.Dst >= 0) t[s.Dst] = result;
                    break;
                }
                case StmtKind.Exit:
                    if ((Eval(t, s.A).Lo & 1) != 0)
                    {
                        state->Rip = s.Addr;
                        return new BlockExit(s.Addr, s.JumpKind);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"unknown statement kind {s.Kind}");
            }
        }

        ulong next = Eval(t, sb.Next).Lo;
        state->Rip = next;
        return new BlockExit(next, sb.NextKind);
    }

    /// <summary>
    /// The page check, or with an access check the addressability map, then the tool's slow path (RIP at
    /// the accessing instruction) when a byte is not addressable.
    /// </summary>
    private bool Allowed(GuestState* state, IGuestMemoryGuard guard, ulong address, int size, bool write, ulong instruction)
    {
        if (_accessCheck is not { } check) return write ? guard.CanWrite(address, size) : guard.CanRead(address, size);
        if (AddressabilityMap.AllAddressable(check.Primary, address, size)) return true;
        state->Rip = instruction;
        return check.SlowPath.Function(state, address, (ulong)size, write ? 1UL : 0UL, 0) == 0;
    }

    /// <summary>With an access check, the address of the memory a dirty helper declares it reads or writes that is refused; else null.</summary>
    private ulong? HelperMemoryRefused(in IrStmt s, Value128[] t, GuestState* state, IGuestMemoryGuard guard, ulong instruction)
    {
        if (_accessCheck == null) return null;
        IrValue[] args = s.Args ?? [];
        if (s.Helper!.MemoryRead is var (readArg, readSize) && Eval(t, args[readArg]).Lo is var readAt
            && !Allowed(state, guard, readAt, readSize, false, instruction)) return readAt;
        if (s.Helper.MemoryWrite is var (writeArg, writeSize) && Eval(t, args[writeArg]).Lo is var writeAt
            && !Allowed(state, guard, writeAt, writeSize, true, instruction)) return writeAt;
        return null;
    }

    private static BlockExit Fault(GuestState* state, ulong address, ulong instruction)
    {
        state->FaultAddr = address;
        state->Rip = instruction;
        return new BlockExit(instruction, JumpKind.SigSegv);
    }

    private static ulong Call(in IrStmt s, Value128[] t, GuestState* state)
    {
        IrValue[] args = s.Args ?? [];
        ulong a0 = args.Length > 0 ? Eval(t, args[0]).Lo : 0;
        ulong a1 = args.Length > 1 ? Eval(t, args[1]).Lo : 0;
        ulong a2 = args.Length > 2 ? Eval(t, args[2]).Lo : 0;
        ulong a3 = args.Length > 3 ? Eval(t, args[3]).Lo : 0;
        return s.Helper!.Function(state, a0, a1, a2, a3);
    }

    /// <summary>Byte offset of element ((index + Bias) mod Count) of a GetI/PutI array.</summary>
    internal static int ElementOffset(in IrStmt s, ulong index)
    {
        long element = ((long)(index % (ulong)s.Count) + s.Bias) % s.Count;
        if (element < 0) element += s.Count;
        return s.Offset + (int)element * s.Type.Bytes();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Value128 Eval(Value128[] temps, in IrValue v) =>
        v.Temp >= 0 ? temps[v.Temp] : new Value128(v.Const, v.ConstHi);

    /// <summary>A value of <paramref name="type"/> from memory or state bytes, normalised.</summary>
    internal static Value128 Read(byte* p, IrType type) => type switch
    {
        IrType.I1 => (ulong)(*p & 1),
        IrType.I8 => *p,
        IrType.I16 => Unsafe.ReadUnaligned<ushort>(p),
        IrType.I32 or IrType.F32 => Unsafe.ReadUnaligned<uint>(p),
        IrType.I64 or IrType.F64 => Unsafe.ReadUnaligned<ulong>(p),
        IrType.I128 or IrType.V128 => new Value128(Unsafe.ReadUnaligned<ulong>(p), Unsafe.ReadUnaligned<ulong>(p + 8)),
        _ => throw new InvalidOperationException($"cannot read a value of type {type}"),
    };

    internal static void Write(byte* p, IrType type, Value128 v)
    {
        switch (type)
        {
            case IrType.I1: *p = (byte)(v.Lo & 1); break;
            case IrType.I8: *p = (byte)v.Lo; break;
            case IrType.I16: Unsafe.WriteUnaligned(p, (ushort)v.Lo); break;
            case IrType.I32 or IrType.F32: Unsafe.WriteUnaligned(p, (uint)v.Lo); break;
            case IrType.I64 or IrType.F64: Unsafe.WriteUnaligned(p, v.Lo); break;
            case IrType.I128 or IrType.V128:
                Unsafe.WriteUnaligned(p, v.Lo);
                Unsafe.WriteUnaligned(p + 8, v.Hi);
                break;
            default: throw new InvalidOperationException($"cannot write a value of type {type}");
        }
    }
}
