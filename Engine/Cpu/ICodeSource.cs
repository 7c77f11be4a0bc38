namespace Memcheck.Engine.Cpu;

/// <summary>Where the lifter reads guest instructions from.</summary>
public interface ICodeSource
{
    /// <summary>
    /// Copy up to <paramref name="buffer"/>.Length bytes of guest code starting at <paramref name="address"/>;
    /// returns how many leading bytes are mapped and executable (0 when the address itself is not).
    /// </summary>
    int Read(ulong address, Span<byte> buffer);
}
