using System.Diagnostics;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// What --stats=yes prints about translation: how many superblocks were made, their sizes at each stage,
/// and where the translation time went.
/// </summary>
internal sealed class TranslationStats
{
    private long _blocks, _guestInstructions, _guestBytes, _liftedStatements, _finalStatements, _hostBytes;
    private long _liftTicks, _instrumentTicks, _optimiseTicks, _compileTicks;
    private long _dispatched;

    /// <summary>The dispatcher ran a translation (chained and looked-up blocks run without it).</summary>
    public void Dispatched() => _dispatched++;

    public void Lifted(long start, Superblock sb)
    {
        _liftTicks += Stopwatch.GetTimestamp() - start;
        _blocks++;
        _liftedStatements += sb.Statements.Length;
        foreach (ref readonly var s in sb.Statements)
            if (s.Kind == StmtKind.IMark)
            {
                _guestInstructions++;
                _guestBytes += s.Len;
            }
    }

    public void Instrumented(long start) => _instrumentTicks += Stopwatch.GetTimestamp() - start;

    public void Optimised(long start, Superblock sb)
    {
        _optimiseTicks += Stopwatch.GetTimestamp() - start;
        _finalStatements += sb.Statements.Length;
    }

    public void Compiled(long start, int hostBytes)
    {
        _compileTicks += Stopwatch.GetTimestamp() - start;
        _hostBytes += hostBytes;
    }

    public void Write(Commentary commentary)
    {
        commentary.Verbose($"transtab: new {_blocks:N0} ({_guestBytes:N0} -> {_hostBytes:N0}; ratio {Ratio(_hostBytes, _guestBytes)}) " +
            $"guest instructions {_guestInstructions:N0}, IR statements {_liftedStatements:N0} lifted, {_finalStatements:N0} final");
        double total = Seconds(_liftTicks + _instrumentTicks + _optimiseTicks + _compileTicks);
        commentary.Verbose($"translate: {total:F3} s, {(_blocks == 0 ? 0 : total * 1e6 / _blocks):F1} us/block: lift {Seconds(_liftTicks):F3} s, " +
            $"instrument {Seconds(_instrumentTicks):F3} s, optimise {Seconds(_optimiseTicks):F3} s, compile {Seconds(_compileTicks):F3} s");
        commentary.Verbose($"dispatcher: {_dispatched:N0} translations run from the dispatcher");
    }

    private static string Ratio(long a, long b) => b == 0 ? "-" : $"{(double)a / b:F1}";

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
