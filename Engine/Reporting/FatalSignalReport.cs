using Memcheck.Engine.Core;

namespace Memcheck.Engine.Reporting;

/// <summary>Valgrind's report for a guest killed by a signal whose default action terminates it.</summary>
public static class FatalSignalReport
{
    /// <param name="xml">With --xml=yes, where the report goes instead of the text (the stack size advice stays text).</param>
    public static void Write(Commentary c, XmlOutput? xml, GuestFault fault, ulong mainStackSize)
    {
        var (code, cause) = fault.Detail == FaultDetail.Sent ? (fault.SentCode, null) : Cause(fault.Detail);
        if (xml is not null)
            xml.FatalSignal(1, fault.Signal, GuestSignal.Name(fault.Signal), code, cause, fault.Address, fault.Stack);
        else
        {
            c.Line();
            c.Line($"Process terminating with default action of signal {fault.Signal} ({GuestSignal.Name(fault.Signal)})");
            // A general-protection fault has no address to show.
            if (cause is not null) c.Line(fault.Detail == FaultDetail.GeneralProtection ? $" {cause}" : $" {cause} at address 0x{fault.Address:X}");
            foreach (string frame in fault.Stack.Render()) c.Line(frame);
        }
        if (fault.Detail == FaultDetail.NotMapped)
        {
            c.Line(" If you believe this happened as a result of a stack");
            c.Line(" overflow in your program's main thread (unlikely but");
            c.Line(" possible), you can try to increase the size of the");
            c.Line(" main thread stack using the --main-stacksize= flag.");
            c.Line($" The main thread stack size used in this run was {mainStackSize}.");
        }
    }

    /// <summary>The si_code Valgrind reports and the description of what caused the fault.</summary>
    private static (int Code, string? Cause) Cause(FaultDetail detail) => (Dispatcher.SignalCode(detail).Code, detail switch
    {
        FaultDetail.NotMapped => "Access not within mapped region",
        FaultDetail.BadPermissions => "Bad permissions for mapped region",
        FaultDetail.NonExistentPhysicalAddress => "Non-existent physical address",
        FaultDetail.GeneralProtection => "General Protection Fault",
        FaultDetail.IntegerDivideByZero => "Integer divide by zero",
        FaultDetail.IllegalOpcode => "Illegal opcode",
        _ => null,
    });

    /// <summary>The lines Valgrind prints before raising SIGILL for an instruction it cannot translate.</summary>
    public static void WriteUnrecognisedInstruction(Commentary c, ulong pc, IReadOnlyList<string> stack)
    {
        c.Line($"memcheck: Unrecognised instruction at address 0x{pc:x}.");
        foreach (var frame in stack) c.Line(frame);
        c.Line("Your program just tried to execute an instruction that Valgrind");
        c.Line("did not recognise.  There are two possible reasons for this.");
        c.Line("1. Your program has a bug and erroneously jumped to a non-code");
        c.Line("   location.  If you are running Memcheck and you just saw a");
        c.Line("   warning about a bad jump, it's probably your program's fault.");
        c.Line("2. The instruction is legitimate but Valgrind doesn't handle it,");
        c.Line("   i.e. it's Valgrind's fault.  If you think this is the case or");
        c.Line("   you are not sure, please let us know and we'll try to fix it.");
        c.Line("Either way, Valgrind will now raise a SIGILL signal which will");
        c.Line("probably kill your program.");
    }

    /// <summary>Valgrind's unprefixed "vex amd64->IR: unhandled instruction bytes" line, naming this engine.</summary>
    public static void WriteUnhandledBytes(Commentary c, ReadOnlySpan<byte> bytes) =>
        c.Raw("memcheck amd64->IR: unhandled instruction bytes: " + string.Join(' ', bytes.ToArray().Select(b => $"0x{b:X}")));
}
