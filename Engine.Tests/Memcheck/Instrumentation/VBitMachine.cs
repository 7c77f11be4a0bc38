using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Cpu;
using Memcheck.Engine.Tests.Ir;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Instrumentation;
using Memcheck.Engine.Tools.Memcheck.Origins;
using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tests.MemcheckTool.Instrumentation;

/// <summary>One undefined-value report: "cond" or "value", the size for values, the instruction and the origin tag.</summary>
internal readonly record struct Report(string Kind, int Size, ulong Rip, uint Origin = OriginTags.None);

/// <summary>
/// The tool side of the V-bit helpers: a shadow memory (with origin tags when tracked, stack contexts numbered by
/// <see cref="Sources"/>) and a list of the reports made.
/// </summary>
internal sealed unsafe class RecordingTool(bool trackOrigins) : IShadowMemoryOwner, IUndefinedValueReports, IDisposable
{
    public ShadowMemory Shadow { get; } = new(trackOrigins ? new OriginMemory() : null);
    public bool PartialLoadsOk { get; set; } = true;
    public List<Report> Reports { get; } = [];
    public OriginSources Sources { get; } = new(new StackStore(), address => [new StackFrame(address, null, null, 0, null)]);

    public uint StackOrigin(ulong codeAddress) => trackOrigins ? Sources.Stack(codeAddress) : OriginTags.None;

    public void ConditionalJump(GuestState* state, uint origin) => Reports.Add(new Report("cond", 0, state->Rip, origin));
    public void ValueOfSize(GuestState* state, int size, uint origin) => Reports.Add(new Report("value", size, state->Rip, origin));

    public void Dispose() => Shadow.Dispose();
}

/// <summary>
/// Guest code lifted, instrumented and interpreted block by block on a guest state with shadow registers, over
/// a buffer of guest memory whose shadow starts defined. Registers and their V bits are set by offset.
/// </summary>
internal sealed unsafe class VBitMachine : IDisposable
{
    public const ulong CodeAddress = 0x40_0000;

    private readonly TestState _state = new();
    private readonly GCHandle _handle;
    private readonly IrInterpreter _interpreter = new();

    public TestMemory Memory { get; } = new(4096);
    public RecordingTool Tool { get; }
    public VBitInstrumenter Instrumenter { get; set; }
    /// <summary>Stack-pointer tracking after the V-bit pass, when set.</summary>
    public StackPointerTracking? Stack { get; set; }
    public GuestState* State => _state.State;
    /// <summary>The instructions of the code last run, decoded, for their addresses.</summary>
    public List<Instruction> Code { get; } = [];

    /// <param name="trackOrigins">Whether values carry origin tags (--track-origins=yes).</param>
    public VBitMachine(bool trackOrigins = false)
    {
        Tool = new RecordingTool(trackOrigins);
        Instrumenter = new VBitInstrumenter(Tool.Shadow);
        _handle = GCHandle.Alloc(Tool);
        State->ToolHandle = GCHandle.ToIntPtr(_handle);
        Tool.Shadow.MakeDefined(Memory.Address, (ulong)Memory.Size);
    }

    /// <summary>The address <paramref name="offset"/> bytes into the guest buffer.</summary>
    public ulong At(int offset) => Memory.Address + (ulong)offset;

    public void SetGpr(Register r, ulong value, ulong vbits = 0)
    {
        int offset = GuestState.GprOffset(r.GetFullRegister().GetNumber());
        State->Gpr[offset / 8] = value;
        SetVBits(offset, vbits);
    }

    public ulong GprVBits(Register r) => VBits(GuestState.GprOffset(r.GetFullRegister().GetNumber()));

    public void SetXmm(int index, ulong lo, ulong hi, ulong vLo = 0, ulong vHi = 0)
    {
        int offset = GuestState.XmmOffset(index);
        *(ulong*)((byte*)State + offset) = lo;
        *(ulong*)((byte*)State + offset + 8) = hi;
        SetVBits(offset, vLo);
        SetVBits(offset + 8, vHi);
    }

    public (ulong Lo, ulong Hi) XmmVBits(int index) => (VBits(GuestState.XmmOffset(index)), VBits(GuestState.XmmOffset(index) + 8));

    /// <summary>The origin tag of the register holding the state byte at <paramref name="stateOffset"/>.</summary>
    public void SetOrigin(Register r, uint tag) => *(ulong*)((byte*)State + GuestState.OriginOffset + GprOrXmmOffset(r)) = tag;
    public uint Origin(Register r) => (uint)*(ulong*)((byte*)State + GuestState.OriginOffset + GprOrXmmOffset(r));

    private static int GprOrXmmOffset(Register r) =>
        r.IsXMM() ? GuestState.XmmOffset(r.GetNumber()) : GuestState.GprOffset(r.GetFullRegister().GetNumber());

    public void SetVBits(int stateOffset, ulong vbits) => *(ulong*)((byte*)State + GuestState.ShadowOffset + stateOffset) = vbits;
    public ulong VBits(int stateOffset) => *(ulong*)((byte*)State + GuestState.ShadowOffset + stateOffset);

    /// <summary>Runs the code <paramref name="emit"/> assembles, from its start to its end, instrumented.</summary>
    public void Run(Action<Assembler> emit)
    {
        var code = BufferCodeSource.Assemble(CodeAddress, emit);
        var lifter = new Lifter(code);
        var bytes = new byte[code.End - code.Address];
        code.Read(code.Address, bytes);
        Code.Clear();
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes));
        decoder.IP = CodeAddress;
        while (decoder.IP < code.End) Code.Add(decoder.Decode());
        ulong pc = CodeAddress;
        for (int blocks = 0; pc != code.End; blocks++)
        {
            if (blocks == 100) Assert.Fail("the code did not reach its end");
            var sb = Instrumenter.Instrument(lifter.Lift(pc));
            var exit = _interpreter.Run(Stack is null ? sb : Stack.Instrument(sb), State, Memory);
            if (exit.NextAddress != code.End && exit.Kind is not (JumpKind.Boring or JumpKind.Call or JumpKind.Ret))
                Assert.Fail($"the code left with {exit.Kind} at 0x{exit.NextAddress:x}");
            pc = exit.NextAddress;
        }
    }

    /// <summary>Address of the first instruction of <paramref name="mnemonic"/> in the code last run.</summary>
    public ulong AddressOf(Mnemonic mnemonic) => Code.First(i => i.Mnemonic == mnemonic).IP;

    public void Dispose()
    {
        _handle.Free();
        Tool.Dispose();
        Memory.Dispose();
        _state.Dispose();
    }
}
