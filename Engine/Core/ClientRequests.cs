using System.Text;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Core;

/// <summary>
/// Answers the guest's client requests as Valgrind's core does: its own (running on Valgrind, printf to the log or
/// the XML, error count and error reporting turned off per thread, translations discarded, source locations, stacks)
/// here, every other code (the tool's, and the heap block and mempool requests any heap-tracking tool interprets) by
/// the tool. The answer goes to RDX, which the tool hears of as a register the core wrote; a request nobody knows
/// leaves the caller's default there.
/// </summary>
/// <param name="threadNumber">Valgrind's number of the requesting thread, which XML output gives a message.</param>
internal sealed unsafe class ClientRequests(Tool tool, GuestMemory memory, ErrorOutput output, DebugInfoIndex debugInfo,
    int numCallers, Action<ulong, ulong> discardTranslations, Func<GuestThread> currentThread, Func<int> threadNumber)
{
    private const int Rdx = 2;
    /// <summary>VALGRIND_MAP_IP_TO_SRCLOC's buffer: 64 bytes, NUL-terminated.</summary>
    private const int SourceLocationSize = 64;

    private readonly ClientPrintf _printf = new(memory);
    /// <summary>Client stacks are only numbered: the engine does not yet use them to tell stack switches or to describe addresses.</summary>
    private ulong _stacksRegistered;

    public void Handle(GuestState* state)
    {
        Span<ulong> words = stackalloc ulong[6];
        for (int i = 0; i < words.Length; i++)
            if (!memory.TryRead(state->Gpr[0] + 8 * (ulong)i, out words[i])) return;
        var request = new ClientRequest(words[0], words[1], words[2], words[3], words[4], words[5]);
        if ((Answer(state, request) ?? tool.ClientRequest(state, request)) is not { } result) return;
        state->Gpr[Rdx] = result;
        tool.RegisterWrittenByCore(state, GuestState.OffRdx, 8);
    }

    /// <summary>The core's answer to its own requests; null for the tool's.</summary>
    private ulong? Answer(GuestState* state, ClientRequest request)
    {
        switch (request.Code)
        {
            case ClientRequest.RunningOnValgrind:
                return 1;
            case ClientRequest.DiscardTranslations:
                discardTranslations(request.A1, request.A2);
                return 0;
            case ClientRequest.CountErrors:
                return (ulong)tool.ErrorCount;
            case ClientRequest.Printf or ClientRequest.PrintfValistByRef:
                return Print(request.A1, request.A2, null);
            case ClientRequest.PrintfBacktrace or ClientRequest.PrintfBacktraceValistByRef:
                return Print(request.A1, request.A2, debugInfo.Capture(state, numCallers));
            case ClientRequest.StackRegister:
                return ++_stacksRegistered;
            case ClientRequest.StackDeregister or ClientRequest.StackChange:
                return 0;
            case ClientRequest.ChangeErrDisablement:
                // Only +1 and -1 are allowed; enabling never goes below fully enabled.
                GuestThread thread = currentThread();
                if (request.A1 == 1) thread.ErrorDisablement++;
                else if ((long)request.A1 == -1 && thread.ErrorDisablement > 0) thread.ErrorDisablement--;
                return 0;
            case ClientRequest.MapIpToSrcloc:
                WriteSourceLocation(request.A1, request.A2);
                return 0;
            default:
                return null;
        }
    }

    private ulong Print(ulong format, ulong vaList, StackTrace? backtrace)
    {
        string text = _printf.Format(format, vaList);
        output.ClientMessage(text, backtrace, threadNumber());
        return (ulong)text.Length;
    }

    /// <summary>"file:line" of the code address, or "???" where there is no line information, NUL-terminated in 64 bytes.</summary>
    private void WriteSourceLocation(ulong address, ulong buffer)
    {
        if (buffer == 0) return;
        StackFrame frame = debugInfo.Describe(address)[0];
        string where = frame.File is not null ? $"{Path.GetFileName(frame.File)}:{frame.Line}" : "???";
        byte[] text = Encoding.UTF8.GetBytes(where);
        var bytes = new byte[SourceLocationSize];
        text.AsSpan(0, Math.Min(text.Length, SourceLocationSize - 1)).CopyTo(bytes);
        memory.TryWrite(buffer, bytes);
    }
}
