namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// The guest mapping a tool's function replacements appear to live in, as Valgrind's preload library does:
/// each replacement has its own address there, named by its (demangled) symbol, so a stack taken inside one
/// reads "at 0x...: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)". Nothing is read
/// from <see cref="Path"/>; the names are given by the engine.
/// </summary>
public sealed class ReplacementObject(ulong start, ulong length, string path)
{
    /// <summary>Named addresses, sorted; an address belongs to the closest one at or below it.</summary>
    private readonly SortedList<ulong, (string Symbol, bool IsEntry)> _functions = [];

    public ulong Start { get; } = start;
    public ulong End { get; } = start + length;
    public string Path { get; } = path;

    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>
    /// Names the code at <paramref name="address"/>. An entry is a function the guest called and that returns to
    /// its caller from the top of the stack (CFA = rsp+8); anything else ends a stack walk.
    /// </summary>
    public void Define(ulong address, string mangledName, bool isEntry)
    {
        if (!Contains(address)) throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:x} is outside {Path}");
        _functions[address] = (mangledName, isEntry);
    }

    /// <summary>Whether a stack walk at <paramref name="address"/> goes on to the return address at [rsp].</summary>
    public bool IsEntry(ulong address) => _functions.TryGetValue(address, out var f) && f.IsEntry;

    public StackFrame Describe(ulong address) =>
        SymbolAt(address) is { } symbol
            ? new StackFrame(address, Demangler.Demangle(symbol), null, 0, Path) { SymbolName = symbol }
            : new StackFrame(address, null, null, 0, Path);

    private string? SymbolAt(ulong address)
    {
        string? name = null;
        foreach (var (start, function) in _functions)
        {
            if (start > address) break;
            name = function.Symbol;
        }
        return name;
    }
}
