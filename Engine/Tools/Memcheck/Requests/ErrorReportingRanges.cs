namespace Memcheck.Engine.Tools.Memcheck.Requests;

/// <summary>
/// Where the client turned addressing errors off (VALGRIND_DISABLE_ADDR_ERROR_REPORTING_IN_RANGE) and not back on:
/// invalid reads and writes there are not reported. Ranges still off at exit are listed in Valgrind's warning.
/// </summary>
public sealed class ErrorReportingRanges
{
    private readonly List<(ulong Start, ulong End)> _disabled = [];

    public void Disable(ulong start, ulong length)
    {
        if (length > 0) _disabled.Add((start, start + length));
    }

    /// <summary>Turns reporting back on over the range: what was off on either side of it stays off.</summary>
    public void Enable(ulong start, ulong length)
    {
        ulong end = start + length;
        var kept = new List<(ulong Start, ulong End)>();
        foreach (var (s, e) in _disabled)
        {
            if (e <= start || s >= end) kept.Add((s, e));
            else
            {
                if (s < start) kept.Add((s, start));
                if (e > end) kept.Add((end, e));
            }
        }
        _disabled.Clear();
        _disabled.AddRange(kept);
    }

    public bool IsDisabled(ulong address) => _disabled.Any(r => address >= r.Start && address < r.End);

    /// <summary>Valgrind's warning at exit when ranges are still off (lines without the ==PID== prefix); empty otherwise.</summary>
    public IEnumerable<string> ExitWarning()
    {
        if (_disabled.Count == 0) yield break;
        yield return "WARNING: exiting program has the following client-requested";
        yield return "WARNING: address error disablement range(s) still in force,";
        yield return "WARNING: possibly as a result of some mistake in the use of the";
        yield return "WARNING: VALGRIND_{DISABLE,ENABLE}_ERROR_REPORTING_IN_RANGE macros.";
        for (int i = 0; i < _disabled.Count; i++)
            yield return $"   [{i + 1}]  0x{_disabled[i].Start:x16}-0x{_disabled[i].End - 1:x16}  ClientReq";
    }
}
