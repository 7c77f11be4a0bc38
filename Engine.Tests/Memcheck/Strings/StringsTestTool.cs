using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Replacements;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>
/// A tool with only the string replacements and a shadow in which every mapped guest byte is addressable and
/// defined, recording each report with the stack captured at the replacement: what memcheck will do with them,
/// without its heap.
/// </summary>
internal sealed unsafe class StringsTestTool : Tool, IStringCheckHost, IDisposable
{
    private ToolHost? _host;

    public ShadowMemory Shadow { get; } = new();
    public bool PartialLoadsOk => true;
    public List<(string Text, StackTrace Stack)> Reports { get; } = [];

    public override string Banner => "strings test tool";
    public override string ReplacementObjectPath => "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";
    public override IReadOnlyList<FunctionReplacement> Replacements { get; } = StringsTable.Replacements();

    public override void Attach(ToolHost host)
    {
        _host = host;
        foreach (var mapping in host.Space.Mappings)
            Shadow.MakeDefined(mapping.Start, mapping.Length);
        host.Space.Mapped += (start, length, _) => Shadow.MakeDefined(start, length);
        host.Space.Unmapped += Shadow.MakeNoAccess;
    }

    private ToolHost Host => _host ?? throw new InvalidOperationException("not attached");

    public bool CanRead(ulong address, ulong length) => length <= int.MaxValue && Host.Space.Pages.CanRead(address, (int)length);
    public bool CanWrite(ulong address, ulong length) => length <= int.MaxValue && Host.Space.Pages.CanWrite(address, (int)length);

    public void InvalidRead(GuestState* state, int site, ulong address, int size) => Record(state, $"Invalid read of size {size}");
    public void InvalidWrite(GuestState* state, int site, ulong address, int size) => Record(state, $"Invalid write of size {size}");
    public void UninitialisedCondition(GuestState* state, int site, uint origin) =>
        Record(state, "Conditional jump or move depends on uninitialised value(s)");

    public void Overlap(GuestState* state, int site, string function, ulong destination, ulong source, ulong length) =>
        Record(state, StringReports.OverlapMessage(function, destination, source, length));

    public void Fault(GuestState* state, int site, ulong address) => Record(state, $"SIGSEGV at 0x{address:x}");
    public void BufferOverflow(GuestState* state, string function) => Record(state, StringReports.BufferOverflowMessage(function));

    private void Record(GuestState* state, string text) => Reports.Add((text, Host.CaptureStack(state)));

    public void Dispose() => Shadow.Dispose();
}
