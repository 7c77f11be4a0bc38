using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Origins;
using Memcheck.Engine.Tools.Memcheck.Replacements;

namespace Memcheck.Engine.Tools.Memcheck.Requests;

/// <summary>
/// Memcheck's client requests (memcheck.h, codes from VG_USERREQ_TOOL_BASE('M','C')), answered as Valgrind answers
/// them: the A and V bits set or checked ("Uninitialised byte(s) found during client check request"), V bits copied
/// out and in, leak searches and their counts, client block descriptions, and address errors turned off in ranges;
/// and valgrind.h's blocks of the client's own allocator (MALLOCLIKE, FREELIKE, RESIZEINPLACE). Mempools are not
/// answered yet. With <paramref name="origins"/> (--track-origins=yes), memory MAKE_MEM_UNDEFINED makes undefined was
/// created by that request (its stack kept in <paramref name="stacks"/>), and a failed definedness check names the
/// origin of its first undefined byte.
/// </summary>
internal sealed unsafe class MemcheckRequests(ToolHost host, ShadowMemory shadow, ErrorLog errors, AddressDescriber describer,
    LeakSearch leaks, HeapCalls heapCalls, ClientBlocks blocks, ErrorReportingRanges ranges, StackStore stacks, OriginSources? origins)
{
    private enum Code : ulong
    {
        MakeMemNoaccess, MakeMemUndefined, MakeMemDefined, Discard, CheckMemIsAddressable, CheckMemIsDefined, DoLeakCheck,
        CountLeaks, GetVbits, SetVbits, CreateBlock, MakeMemDefinedIfAddressable, CountLeakBlocks,
        EnableAddrErrorReportingInRange, DisableAddrErrorReportingInRange,
    }

    private static readonly ulong Base = ClientRequest.ToolBase('M', 'C');

    /// <summary>What the MAKE_MEM requests answer (-1), and GET/SET_VBITS on success (1) or on unaddressable memory (3).</summary>
    private const ulong Done = ulong.MaxValue, VbitsCopied = 1, VbitsUnaddressable = 3;

    /// <summary>The answer to a memcheck request; null for any other code.</summary>
    public ulong? Answer(GuestState* state, ClientRequest request)
    {
        switch (request.Code)
        {
            case ClientRequest.MalloclikeBlock:
                heapCalls.Malloclike(state, request.A1, request.A2, request.A3, request.A4 != 0);
                return 0;
            case ClientRequest.FreelikeBlock:
                heapCalls.Free(state, request.A1, AllocKind.Custom);
                return 0;
            case ClientRequest.ResizeinplaceBlock:
                heapCalls.ResizeInPlace(state, request.A1, request.A3);
                return 0;
        }
        if (request.Code < Base || request.Code > Base + (ulong)Code.DisableAddrErrorReportingInRange) return null;
        ulong address = request.A1, length = request.A2;
        switch ((Code)(request.Code - Base))
        {
            case Code.MakeMemNoaccess:
                shadow.MakeNoAccess(address, length);
                return Done;
            case Code.MakeMemUndefined:
                uint origin = origins?.ClientRequest(stacks.Add(host.CaptureStack(state))) ?? OriginTags.None;
                shadow.MakeUndefined(address, length, origin);
                return Done;
            case Code.MakeMemDefined:
                shadow.MakeDefined(address, length);
                return Done;
            case Code.MakeMemDefinedIfAddressable:
                for (ulong a = address; a - address < length; a++)
                    if (shadow.Get(a) != VaBits.NoAccess) shadow.MakeDefined(a, 1);
                return Done;
            case Code.Discard:
                return blocks.Discard(request.A2) ? 0UL : 1UL;
            case Code.CreateBlock:
                string description = host.Space.Pages.CanRead(request.A3, 1) ? new string((sbyte*)request.A3) : "";
                return (ulong)blocks.Create(address, length, description, host.CaptureStack(state));
            case Code.CheckMemIsAddressable:
                return Check(state, shadow.CheckAddressable(address, length), unaddressable: true);
            case Code.CheckMemIsDefined:
                ulong? bad = shadow.CheckDefined(address, length, out bool noAccess);
                return Check(state, bad, noAccess);
            case Code.DoLeakCheck:
                leaks.Run(host.Commentary, full: request.A1 == 0, request.A2 switch { 1 => LeakDelta.Increased, 2 => LeakDelta.Changed, _ => LeakDelta.All },
                    host.CurrentThread);
                return 0;
            case Code.CountLeaks:
                WriteCounts(request, leaks.LastSummary, c => c.Bytes);
                return 0;
            case Code.CountLeakBlocks:
                WriteCounts(request, leaks.LastSummary, c => c.Blocks);
                return 0;
            case Code.GetVbits:
                return CopyVbits(address, request.A2, request.A3, toClient: true);
            case Code.SetVbits:
                return CopyVbits(address, request.A2, request.A3, toClient: false);
            case Code.DisableAddrErrorReportingInRange:
                ranges.Disable(address, length);
                return 1;
            default:
                ranges.Enable(address, length);
                return 1;
        }
    }

    /// <summary>The check's error at the first bad byte, and its answer: that byte's address, or 0.</summary>
    private ulong Check(GuestState* state, ulong? bad, bool unaddressable)
    {
        if (bad is not ulong first) return 0;
        var (kind, headline) = unaddressable
            ? (MemcheckErrorKind.UnaddressableClientCheck, "Unaddressable byte(s) found during client check request")
            : (MemcheckErrorKind.UninitialisedClientCheck, "Uninitialised byte(s) found during client check request");
        ValueOrigin? origin = unaddressable ? null : origins?.Describe(shadow.Origins!.Load(first, 1));
        errors.Report(new MemcheckError(kind, headline, host.CaptureStack(state), describer.Describe(first), origin), headline);
        return first;
    }

    /// <summary>COUNT_LEAKS and COUNT_LEAK_BLOCKS: leaked (definite and indirect), dubious, reachable and suppressed, as of the last search.</summary>
    private void WriteCounts(ClientRequest request, LeakSummary? summary, Func<ByteBlockCount, ulong> count)
    {
        ulong[] values = summary is null ? [0, 0, 0, 0] :
        [
            count(summary.DefinitelyLost) + count(summary.IndirectlyLost), count(summary.PossiblyLost),
            count(summary.StillReachable), count(summary.Suppressed),
        ];
        ulong[] targets = [request.A1, request.A2, request.A3, request.A4];
        for (int i = 0; i < targets.Length; i++)
            if (host.Space.Pages.CanWrite(targets[i], 8)) *(ulong*)targets[i] = values[i];
    }

    /// <summary>
    /// GET_VBITS copies the V bits of [address, address+length) into the client's array (one byte per byte, set bits
    /// undefined), which is then defined; SET_VBITS copies them back. Nothing is copied unless both ranges are addressable.
    /// </summary>
    private ulong CopyVbits(ulong address, ulong array, ulong length, bool toClient)
    {
        int size = (int)Math.Min(length, int.MaxValue);
        if (shadow.CheckAddressable(address, length) is not null || shadow.CheckAddressable(array, length) is not null
            || !(toClient ? host.Space.Pages.CanWrite(array, size) : host.Space.Pages.CanRead(array, size)))
            return VbitsUnaddressable;
        for (ulong i = 0; i < length; i++)
        {
            if (toClient) *(byte*)(array + i) = (byte)shadow.GetVBits(address + i, 1, out _);
            else shadow.SetVBits(address + i, 1, *(byte*)(array + i));
        }
        if (toClient) shadow.MakeDefined(array, length);
        return VbitsCopied;
    }
}
