using Memcheck.Engine.Ir;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// The origin half of memcheck's instrumentation (--track-origins=yes), emitted beside the V bits. Every temp gets an
/// origin tag (an I64 holding the 32-bit tag; a constant has none). Tags follow values whatever their V bits: an
/// operation's result takes the largest tag of its operands; Get and Put move the tag of the register's slot
/// (<see cref="OriginSlots"/>); a load takes the tag of the memory read, and a store writes the data's tag over the
/// memory's (no tag: the bytes lose theirs); a helper call's outputs take the largest tag of its inputs. GetI and PutI
/// (the x87 stack) carry none, as in memcheck. A reported error names the tag of the value it tested.
/// </summary>
internal sealed class OriginPropagation
{
    private static readonly IrValue NoTag = IrValue.U64(OriginTags.None);

    private readonly Superblock _out;
    private readonly IrValue[] _tags;
    private readonly IrValue _primary;

    /// <param name="output">The block being built; the input's temps keep their numbers in it.</param>
    /// <param name="temps">The input block's temp count.</param>
    /// <param name="origins">The tags of memory, whose primary map the loads read.</param>
    public OriginPropagation(Superblock output, int temps, OriginMemory origins)
    {
        _out = output;
        _tags = new IrValue[temps];
        Array.Fill(_tags, NoTag);
        _primary = IrValue.U64((ulong)origins.Primary);
    }

    /// <summary>The tag of an operand.</summary>
    public IrValue Of(IrValue v) => v.IsTemp ? _tags[v.Temp] : NoTag;

    /// <summary>Emit what carries the tags through <paramref name="s"/> (any statement but a call), before it.</summary>
    public void Before(in IrStmt s)
    {
        switch (s.Kind)
        {
            case StmtKind.Get:
                _tags[s.Dst] = GetSlots(s.Offset, s.Type.Bytes());
                break;
            case StmtKind.Put:
                PutSlots(s.Offset, s.Type.Bytes(), Of(s.A));
                break;
            case StmtKind.Load:
                _tags[s.Dst] = Load(s.A, (ulong)s.Type.Bytes());
                break;
            case StmtKind.Store:
                Store(s.A, (ulong)s.B.Type.Bytes(), Of(s.B));
                break;
            case StmtKind.Unop:
                _tags[s.Dst] = Of(s.A);
                break;
            case StmtKind.Binop:
                _tags[s.Dst] = Max(Of(s.A), Of(s.B));
                break;
            case StmtKind.Triop or StmtKind.Ite:
                _tags[s.Dst] = Max(Max(Of(s.A), Of(s.B)), Of(s.C));
                break;
        }
    }

    /// <summary>The largest tag of a helper call's inputs: the arguments given, the state it reads, the memory it reads.</summary>
    public IrValue CallInputs(in IrStmt s, IEnumerable<IrValue> arguments)
    {
        IrValue tag = NoTag;
        foreach (var argument in arguments) tag = Max(tag, Of(argument));
        foreach (var (offset, size) in s.Helper!.StateReads) tag = Max(tag, GetSlots(offset, size));
        if (s.Helper.MemoryRead is (int addrArg, int bytes)) tag = Max(tag, Load(s.Args![addrArg], (ulong)bytes));
        return tag;
    }

    /// <summary>After a helper call: its result, the state and the memory it writes take <paramref name="tag"/>.</summary>
    public void CallOutputs(in IrStmt s, IrValue tag)
    {
        if (s.Dst >= 0) _tags[s.Dst] = tag;
        if (s.Helper!.IsPure) return;
        foreach (var (offset, size) in s.Helper.StateWrites) PutSlots(offset, size, tag);
        if (s.Helper.MemoryWrite is (int addrArg, int bytes)) Store(s.Args![addrArg], (ulong)bytes, tag);
    }

    /// <summary>A result without origin: a function replacement's, which sets the tags of what it writes itself.</summary>
    public void NoOrigin(int temp) => _tags[temp] = NoTag;

    private IrValue GetSlots(int offset, int size)
    {
        IrValue tag = NoTag;
        foreach (int slot in OriginSlots.Covering(offset, size)) tag = Max(tag, _out.Get(slot, IrType.I64));
        return tag;
    }

    private void PutSlots(int offset, int size, IrValue tag)
    {
        foreach (int slot in OriginSlots.Covering(offset, size)) _out.Put(slot, tag);
    }

    private IrValue Load(IrValue address, ulong size) => _out.Call(OriginHelpers.Load, address, IrValue.U64(size), _primary);

    private void Store(IrValue address, ulong size, IrValue tag) =>
        _out.Call(OriginHelpers.Store, address, IrValue.U64(size), tag, _primary);

    /// <summary>The larger tag: the more recently made context.</summary>
    private IrValue Max(IrValue a, IrValue b)
    {
        if (a == NoTag || a == b) return b;
        if (b == NoTag) return a;
        return _out.Ite(_out.Binop(IrOp.CmpLTU, IrType.I1, a, b), b, a);
    }
}
