using System.Buffers;

namespace Memcheck.Engine.Ir;

/// <summary>
/// A single-entry, multiple-exit run of guest code in IR: statements in order, side exits
/// (<see cref="StmtKind.Exit"/>), and a final jump to <see cref="Next"/> with <see cref="NextKind"/>.
/// Temps are SSA: each is written exactly once. The Emit* methods are the builder the lifter
/// and tools use; each returns the temp it writes.
/// </summary>
public sealed class Superblock
{
    // From the shared pool: translation makes tens of thousands of blocks and keeps none of them (see Release).
    private IrStmt[] _stmts;
    private IrType[] _tempTypes;

    public ulong GuestAddress { get; }
    public int Count { get; private set; }
    public int TempCount { get; private set; }
    public IrValue Next { get; set; } = IrValue.None;
    public JumpKind NextKind { get; set; }
    /// <summary>Number of guest instructions (IMarks) in the block.</summary>
    public int InstructionCount { get; private set; }
    /// <summary>Guest bytes the block was translated from, as (start, length) extents.</summary>
    public List<(ulong Start, int Length)> Extents { get; } = [];

    /// <summary>
    /// A block at <paramref name="guestAddress"/>; a pass that rewrites a block into a new one says how big it expects
    /// it to be, so the arrays are not grown (copied and cleared) a doubling at a time.
    /// </summary>
    public Superblock(ulong guestAddress, int statements = 64, int temps = 64)
    {
        GuestAddress = guestAddress;
        _stmts = ArrayPool<IrStmt>.Shared.Rent(statements);
        _tempTypes = ArrayPool<IrType>.Shared.Rent(temps);
    }

    public Span<IrStmt> Statements => _stmts.AsSpan(0, Count);
    public ref IrStmt this[int index] => ref _stmts[index];
    public IrType TypeOf(int temp) => _tempTypes[temp];
    public ReadOnlySpan<IrType> TempTypes => _tempTypes.AsSpan(0, TempCount);

    public IrValue NewTemp(IrType type)
    {
        if (TempCount == _tempTypes.Length) Grow(ref _tempTypes, TempCount);
        _tempTypes[TempCount] = type;
        return IrValue.OfTemp(TempCount++, type);
    }

    public void Add(in IrStmt stmt)
    {
        if (Count == _stmts.Length) Grow(ref _stmts, Count);
        _stmts[Count++] = stmt;
        if (stmt.Kind == StmtKind.IMark) InstructionCount++;
    }

    /// <summary>Keeps the first <paramref name="count"/> statements (passes that compact the block in place).</summary>
    public void Truncate(int count)
    {
        Count = count;
        InstructionCount = 0;
        foreach (ref readonly var s in Statements)
            if (s.Kind == StmtKind.IMark) InstructionCount++;
    }

    /// <summary>Keeps the statements from <paramref name="start"/> on, moved to the front (backward passes compact toward the end).</summary>
    public void KeepFrom(int start)
    {
        _stmts.AsSpan(start, Count - start).CopyTo(_stmts);
        Truncate(Count - start);
    }

    /// <summary>Replace the statement list (passes that rewrite the block build a new list).</summary>
    public void ReplaceStatements(ReadOnlySpan<IrStmt> stmts)
    {
        if (_stmts.Length < stmts.Length)
        {
            ArrayPool<IrStmt>.Shared.Return(_stmts);
            _stmts = ArrayPool<IrStmt>.Shared.Rent(stmts.Length);
        }
        stmts.CopyTo(_stmts);
        Count = stmts.Length;
        InstructionCount = 0;
        foreach (ref readonly var s in stmts)
            if (s.Kind == StmtKind.IMark) InstructionCount++;
    }

    public void IMark(ulong addr, int len) =>
        Add(new IrStmt { Kind = StmtKind.IMark, Addr = addr, Len = len, Dst = IrValue.NoTemp });

    public IrValue Get(int offset, IrType type)
    {
        var t = NewTemp(type);
        Add(new IrStmt { Kind = StmtKind.Get, Type = type, Offset = offset, Dst = t.Temp });
        return t;
    }

    public void Put(int offset, IrValue value) =>
        Add(new IrStmt { Kind = StmtKind.Put, Offset = offset, A = value, Type = value.Type, Dst = IrValue.NoTemp });

    public IrValue GetI(int offset, IrType elemType, int count, IrValue index, int bias)
    {
        var t = NewTemp(elemType);
        Add(new IrStmt { Kind = StmtKind.GetI, Type = elemType, Offset = offset, Count = count, A = index, Bias = bias, Dst = t.Temp });
        return t;
    }

    public void PutI(int offset, int count, IrValue index, int bias, IrValue value) =>
        Add(new IrStmt { Kind = StmtKind.PutI, Type = value.Type, Offset = offset, Count = count, A = index, Bias = bias, B = value, Dst = IrValue.NoTemp });

    public IrValue Load(IrType type, IrValue addr)
    {
        var t = NewTemp(type);
        Add(new IrStmt { Kind = StmtKind.Load, Type = type, A = addr, Dst = t.Temp });
        return t;
    }

    public void Store(IrValue addr, IrValue value) =>
        Add(new IrStmt { Kind = StmtKind.Store, Type = value.Type, A = addr, B = value, Dst = IrValue.NoTemp });

    /// <summary>A load that is the piece at <paramref name="offset"/> of a guest access of <paramref name="accessBytes"/> bytes.</summary>
    public IrValue LoadPiece(IrType type, IrValue addr, int accessBytes, int offset)
    {
        var t = Load(type, addr);
        _stmts[Count - 1].Count = accessBytes;
        _stmts[Count - 1].Bias = offset;
        return t;
    }

    /// <summary>A store that is the piece at <paramref name="offset"/> of a guest access of <paramref name="accessBytes"/> bytes.</summary>
    public void StorePiece(IrValue addr, IrValue value, int accessBytes, int offset)
    {
        Store(addr, value);
        _stmts[Count - 1].Count = accessBytes;
        _stmts[Count - 1].Bias = offset;
    }

    public IrValue Unop(IrOp op, IrType resultType, IrValue a, IrType lane = IrType.None)
    {
        var t = NewTemp(resultType);
        Add(new IrStmt { Kind = StmtKind.Unop, Op = op, Type = resultType, Lane = lane, A = a, Dst = t.Temp });
        return t;
    }

    public IrValue Binop(IrOp op, IrType resultType, IrValue a, IrValue b, IrType lane = IrType.None)
    {
        var t = NewTemp(resultType);
        Add(new IrStmt { Kind = StmtKind.Binop, Op = op, Type = resultType, Lane = lane, A = a, B = b, Dst = t.Temp });
        return t;
    }

    /// <summary>Binop whose result has its operands' type.</summary>
    public IrValue Binop(IrOp op, IrValue a, IrValue b) => Binop(op, a.Type, a, b);

    public IrValue Triop(IrOp op, IrType resultType, IrValue a, IrValue b, IrValue c, IrType lane = IrType.None)
    {
        var t = NewTemp(resultType);
        Add(new IrStmt { Kind = StmtKind.Triop, Op = op, Type = resultType, Lane = lane, A = a, B = b, C = c, Dst = t.Temp });
        return t;
    }

    public IrValue Ite(IrValue cond, IrValue then, IrValue otherwise)
    {
        var t = NewTemp(then.Type);
        Add(new IrStmt { Kind = StmtKind.Ite, Type = then.Type, A = cond, B = then, C = otherwise, Dst = t.Temp });
        return t;
    }

    /// <summary>Call a helper; returns its I64 result (ignored by callers of dirty helpers that return nothing).</summary>
    public IrValue Call(IrHelper helper, params IrValue[] args)
    {
        if (args.Length != helper.ArgCount)
            throw new ArgumentException($"{helper.Name} takes {helper.ArgCount} arguments, given {args.Length}");
        var t = NewTemp(IrType.I64);
        Add(new IrStmt { Kind = StmtKind.Call, Type = IrType.I64, Helper = helper, Args = args, Dst = t.Temp });
        return t;
    }

    /// <summary>Call a helper only when <paramref name="guard"/> (I1) is 1; the result is 0 when it is not called.</summary>
    public IrValue CallGuarded(IrValue guard, IrHelper helper, params IrValue[] args)
    {
        if (guard.Type != IrType.I1) throw new ArgumentException($"a call guard is I1, not {guard.Type}", nameof(guard));
        var t = Call(helper, args);
        _stmts[Count - 1].A = guard;
        return t;
    }

    public void Exit(IrValue guard, ulong target, JumpKind kind) =>
        Add(new IrStmt { Kind = StmtKind.Exit, A = guard, Addr = target, JumpKind = kind, Dst = IrValue.NoTemp });

    /// <summary>
    /// Gives the statement and type arrays back to the pool once nothing will read the block again (compiled
    /// code keeps no IR); the block is empty afterwards.
    /// </summary>
    public void Release()
    {
        // Only the used part holds references the pool must not keep alive.
        _stmts.AsSpan(0, Count).Clear();
        Count = TempCount = InstructionCount = 0;
        ArrayPool<IrStmt>.Shared.Return(_stmts);
        ArrayPool<IrType>.Shared.Return(_tempTypes);
        _stmts = [];
        _tempTypes = [];
    }

    private static void Grow<T>(ref T[] array, int used)
    {
        var bigger = ArrayPool<T>.Shared.Rent(2 * Math.Max(used, 32));
        array.AsSpan(0, used).CopyTo(bigger);
        array.AsSpan(0, used).Clear();
        ArrayPool<T>.Shared.Return(array);
        array = bigger;
    }

    public override string ToString() => IrPrinter.Format(this);
}
