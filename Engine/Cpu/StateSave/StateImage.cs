using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.StateSave;

/// <summary>
/// The memory image fxsave/xsave write and fxrstor/xrstor read, addressed by offset from the instruction's base,
/// with the rule by which a restored register gets its value. For one XSAVE component the instruction's runtime
/// mask may leave out, every access is conditional: an unselected component touches no byte of its own (its
/// accesses go to the image's header, which xsave always reads and writes, and store back what they read) and
/// its registers keep their values. All of it stays plain IR loads and stores, checked like any other access.
/// </summary>
internal sealed class StateImage
{
    private const int HeaderOffset = 512;

    private readonly LiftContext _c;
    private readonly IrValue _base;
    /// <summary>I1: the mask selects the component (None: always).</summary>
    private readonly IrValue _selected;
    /// <summary>I1: the image holds the component, XSTATE_BV says (None: always); otherwise it restores to its initial state.</summary>
    private readonly IrValue _inImage;

    private StateImage(LiftContext c, IrValue baseAddress, IrValue selected, IrValue inImage)
    {
        _c = c;
        _base = baseAddress;
        _selected = selected;
        _inImage = inImage;
    }

    /// <summary>An fxsave/fxrstor image: every access happens, every register is restored from memory.</summary>
    public static StateImage Whole(LiftContext c, IrValue baseAddress) => new(c, baseAddress, IrValue.None, IrValue.None);

    /// <summary>One XSAVE component of the image at <paramref name="baseAddress"/>.</summary>
    public static StateImage Component(LiftContext c, IrValue baseAddress, IrValue selected, IrValue inImage) =>
        new(c, baseAddress, selected, inImage);

    private Superblock Sb => _c.Sb;

    public IrValue Address(int offset) => offset == 0 ? _base : Sb.Binop(IrOp.Add, _base, IrValue.U64((ulong)offset));

    public void Store(int offset, IrValue value)
    {
        if (_selected.IsNone)
        {
            _c.Store(Address(offset), value);
            return;
        }
        var at = Sb.Ite(_selected, Address(offset), Address(HeaderOffset));
        _c.Store(at, Sb.Ite(_selected, value, _c.Load(value.Type, at)));
    }

    /// <summary>A value of the image, read only when the component is selected and held in the image.</summary>
    public IrValue Load(IrType type, int offset)
    {
        var loads = _selected.IsNone ? _selected : _inImage.IsNone ? _selected : Sb.Binop(IrOp.And, _selected, _inImage);
        return _c.Load(type, loads.IsNone ? Address(offset) : Sb.Ite(loads, Address(offset), Address(HeaderOffset)));
    }

    /// <summary>What a restored register becomes: the loaded value, the component's initial value, or its current one when not selected.</summary>
    public IrValue Pick(IrValue loaded, IrValue initial, Func<IrValue> current)
    {
        if (_selected.IsNone) return loaded;
        var restored = _inImage.IsNone ? loaded : Sb.Ite(_inImage, loaded, initial);
        return Sb.Ite(_selected, restored, current());
    }
}
