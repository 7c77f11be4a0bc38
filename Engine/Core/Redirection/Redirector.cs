using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core.Redirection;

/// <summary>
/// Function replacement by symbol, as Valgrind redirects: whenever the guest maps an ELF object's code, each
/// symbol matching a tool's replacement (soname pattern and name) is redirected before any of that code runs,
/// and any translation already made there is dropped. A redirected address, and the replacement's own address
/// in the replacement object, translate to a call of the tool's helper. An IFUNC symbol's resolver instead
/// answers with the replacement's address, so ld.so binds the call to it. Redirections go when the code is unmapped.
/// </summary>
internal sealed class Redirector
{
    private const ulong SlotSize = 16;

    private readonly IReadOnlyList<FunctionReplacement> _replacements;
    private readonly Dictionary<string, List<int>> _bySymbol = [];
    private readonly GuestAddressSpace _space;
    private readonly DebugInfoIndex _debugInfo;
    private readonly Dictionary<string, ObjectSymbols> _symbolsByPath = [];
    /// <summary>Guest address -> (replacement index, whether the address is an IFUNC resolver).</summary>
    private readonly Dictionary<ulong, (int Replacement, bool IsResolver)> _redirects = [];
    /// <summary>The executable file mappings seen, with the object they hold (and its debug file) and its load bias.</summary>
    private readonly List<(ulong Start, ulong End, string Path, string? DebugPath, long Bias)> _code = [];

    /// <summary>Where a replacement that ends the guest goes (no symbol: Valgrind's stacks show "???" in its preload there).</summary>
    private readonly ulong _exitGuest;

    public ReplacementObject Object { get; }
    /// <summary>A redirection appeared at [start, start+length): translations made there are stale.</summary>
    public event Action<ulong, ulong>? Redirected;
    /// <summary>The exit-time cleanup calls, which live in the replacement object after the replacements.</summary>
    public FreeresAtExit Freeres { get; }

    public Redirector(Tool tool, GuestAddressSpace space, DebugInfoIndex debugInfo, FreeresAtExit.Choice freeres)
    {
        _replacements = tool.Replacements;
        for (int i = 0; i < _replacements.Count; i++)
        {
            if (!_bySymbol.TryGetValue(_replacements[i].Symbol, out var list)) _bySymbol[_replacements[i].Symbol] = list = [];
            list.Add(i);
        }
        _space = space;
        _debugInfo = debugInfo;

        ulong length = (ulong)(_replacements.Count + FreeresAtExit.Slots + 1) * SlotSize;
        long start = space.MapZeroed(0, length, PageProtection.ReadExecute, tool.ReplacementObjectPath);
        if (start < 0) throw new InvalidOperationException($"cannot map the replacement object: error {-start}");
        Object = new ReplacementObject((ulong)start, PageMap.PageUp(length), tool.ReplacementObjectPath);
        for (int i = 0; i < _replacements.Count; i++) Object.Define(Synthetic(i), _replacements[i].Symbol, isEntry: true);
        Freeres = new FreeresAtExit(Synthetic(_replacements.Count), SlotSize, freeres, FunctionNamed);
        _exitGuest = Synthetic(_replacements.Count + FreeresAtExit.Slots);
        Object.Define(Freeres.Entry, FreeresAtExit.WrapperName, isEntry: false);
        debugInfo.Replacements = Object;

        // Nothing to find for a tool that replaces nothing and runs no cleanups (none): skip reading symbols.
        if (_replacements.Count == 0 && !freeres.Cxx && !freeres.Libc) return;
        foreach (var m in space.Mappings) ScanCode(m.Start, m.Length);
        space.Mapped += (s, l, prot) => { if ((prot & PageProtection.Execute) != 0) ScanCode(s, l); };
        space.ProtectionChanged += (s, l, prot) => { if ((prot & PageProtection.Execute) != 0) ScanCode(s, l); };
        space.Unmapped += Forget;
    }

    /// <summary>The replacement's own address in the replacement object.</summary>
    public ulong Synthetic(int replacement) => Object.Start + (ulong)replacement * SlotSize;

    /// <summary>The block that stands in for guest code at <paramref name="pc"/>, or null where the guest's own code runs.</summary>
    public Superblock? BlockAt(ulong pc)
    {
        if (_redirects.TryGetValue(pc, out var r))
        {
            ulong synthetic = Synthetic(r.Replacement);
            return r.IsResolver
                ? RedirectBlocks.ResolverOf(pc, synthetic)
                : RedirectBlocks.Replacement(pc, synthetic, _replacements[r.Replacement].Helper, _exitGuest);
        }
        if (!Object.Contains(pc)) return null;
        ulong slot = (pc - Object.Start) / SlotSize;
        if (slot < (ulong)_replacements.Count && pc == Synthetic((int)slot))
            return RedirectBlocks.Replacement(pc, pc, _replacements[(int)slot].Helper, _exitGuest);
        if (pc == _exitGuest) return RedirectBlocks.ExitGuest(pc);
        return Freeres.BlockAt(pc);
    }

    /// <summary>Where the guest's code now has a redirection (for tests and diagnostics): address -> replaced symbol.</summary>
    public IReadOnlyDictionary<ulong, string> Redirections =>
        _redirects.ToDictionary(kv => kv.Key, kv => _replacements[kv.Value.Replacement].Symbol);

    /// <summary>Redirects the matching symbols of the ELF objects whose code is mapped in [start, start+length).</summary>
    private void ScanCode(ulong start, ulong length)
    {
        foreach (var mapping in _space.Mappings)
        {
            if (!mapping.IsFile || (mapping.Protection & PageProtection.Execute) == 0 || mapping.Path == Object.Path) continue;
            if (mapping.End <= start || mapping.Start >= start + length) continue;
            if (_debugInfo.Locate(mapping.Start) is not var (obj, bias, path)) continue;
            _code.RemoveAll(c => c.Start < mapping.End && mapping.Start < c.End);
            _code.Add((mapping.Start, mapping.End, path, obj.DebugFilePath, bias));
            if (_replacements.Count > 0) Redirect(SymbolsOf(path, obj.DebugFilePath), bias, mapping.Start, mapping.End);
        }
    }

    private ObjectSymbols SymbolsOf(string path, string? debugPath)
    {
        if (!_symbolsByPath.TryGetValue(path, out var symbols)) _symbolsByPath[path] = symbols = ObjectSymbols.Read(path, debugPath);
        return symbols;
    }

    private void Redirect(ObjectSymbols symbols, long bias, ulong start, ulong end)
    {
        foreach (var symbol in symbols.Symbols)
        {
            if (!_bySymbol.TryGetValue(symbol.Name, out var candidates)) continue;
            ulong address = symbol.Address + (ulong)bias;
            if (address < start || address >= end || _redirects.ContainsKey(address)) continue;
            foreach (int i in candidates)
            {
                if (!SonamePattern.Matches(_replacements[i].SonamePattern, symbols.Soname)) continue;
                _redirects[address] = (i, symbol.IsIfunc);
                Redirected?.Invoke(address, 1);
                break;
            }
        }
    }

    private void Forget(ulong start, ulong length)
    {
        foreach (var address in _redirects.Keys.Where(a => a >= start && a - start < length).ToList()) _redirects.Remove(address);
        _code.RemoveAll(c => c.Start < start + length && start < c.End);
    }

    /// <summary>The first mapped definition of a function (in mapping order), as the guest's address.</summary>
    private ulong? FunctionNamed(string name)
    {
        foreach (var (start, end, path, debugPath, bias) in _code.OrderBy(c => c.Start))
        foreach (var symbol in SymbolsOf(path, debugPath).Symbols)
        {
            ulong address = symbol.Address + (ulong)bias;
            if (symbol.Name == name && !symbol.IsIfunc && address >= start && address < end) return address;
        }
        return null;
    }
}
